package sas

// FailKeyCheck plays a failed periodic AK status check on the account of that AuthId (on every site and
// Alibaba Cloud account that has one): the account and each module turn to error with the message, as
// Security Center shows an account whose key stopped working, until the key is submitted again
// (ModifyCloudVendorAccountAK starts a new validation). It reports whether such an account exists.
func (s *Server) FailKeyCheck(authID int64, message string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	found := false
	for _, acct := range s.accounts {
		for _, st := range acct.sites {
			a := st.vendors[authID]
			if a == nil {
				continue
			}
			found = true
			a.generation++ // a validation still running does not overwrite the failure
			for _, m := range a.modules {
				m.status, m.message = statusError, message
			}
			a.serviceStatus, a.message = statusError, message
		}
	}
	return found
}
