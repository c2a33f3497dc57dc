package tcloud

// getSecurityLastUsed answers when each key was last used: at most 10 SecretIds per call
// (https://www.tencentcloud.com/document/api/598/41082). LastUsedDate is the day of the last use (CAM
// says it lags by a day; the emulator reports the day itself) and LastSecretUsedDate its Unix time;
// both are null for a key never used. A SecretId that is not a key of the account has no row.
func (s *Server) getSecurityLastUsed(r *request) (any, *apiError) {
	var in struct{ SecretIdList []string }
	if e := decode(r, &in); e != nil {
		return nil, e
	}
	if len(in.SecretIdList) == 0 || len(in.SecretIdList) > 10 {
		return nil, errorf("InvalidParameter.ParamError", "SecretIdList must hold 1 to 10 SecretIds, not %d", len(in.SecretIdList))
	}
	rows := []map[string]any{}
	for _, id := range in.SecretIdList {
		k, ok := s.keys[id]
		if !ok {
			continue
		}
		row := map[string]any{"SecretId": id, "LastUsedDate": nil, "LastSecretUsedDate": nil}
		if !k.lastUsed.IsZero() {
			row["LastUsedDate"] = k.lastUsed.UTC().Format("2006-01-02")
			row["LastSecretUsedDate"] = k.lastUsed.Unix()
		}
		rows = append(rows, row)
	}
	return map[string]any{"SecretIdLastUsedRows": rows}, nil
}
