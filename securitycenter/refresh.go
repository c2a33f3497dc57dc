package securitycenter

import (
	"fmt"
	"slices"
)

// Frequency is how often a refresh task runs: every 1h, 3h, 6h, 12h, 24h or 7d, or off.
type Frequency string

const FrequencyOff Frequency = "off"

// frequencyMinutes maps each frequency to its SchedulePeriod.
var frequencyMinutes = []struct {
	f       Frequency
	minutes int
}{{"1h", 60}, {"3h", 180}, {"6h", 360}, {"12h", 720}, {"24h", 1440}, {"7d", 10080}}

// ParseFrequency reads 1h, 3h, 6h, 12h, 24h, 7d or off.
func ParseFrequency(s string) (Frequency, error) {
	if Frequency(s) == FrequencyOff {
		return FrequencyOff, nil
	}
	for _, m := range frequencyMinutes {
		if string(m.f) == s {
			return m.f, nil
		}
	}
	return "", fmt.Errorf("invalid frequency %q: valid values are 1h, 3h, 6h, 12h, 24h, 7d, off", s)
}

// Minutes is the frequency's SchedulePeriod; 0 for off or an invalid value.
func (f Frequency) Minutes() int {
	for _, m := range frequencyMinutes {
		if m.f == f {
			return m.minutes
		}
	}
	return 0
}

func frequencyOf(minutes int) (Frequency, bool) {
	i := slices.IndexFunc(frequencyMinutes, func(m struct {
		f       Frequency
		minutes int
	}) bool {
		return m.minutes == minutes
	})
	if i < 0 {
		return "", false
	}
	return frequencyMinutes[i].f, true
}

// RefreshSettings are the sync frequencies of a vendor and the key status check of one account. An
// empty Frequency means "not configured" when read, and "leave as is" when set.
type RefreshSettings struct {
	HostSync         Frequency // RefreshConfigType 0
	CloudServiceSync Frequency // RefreshConfigType 1
	KeyCheck         Frequency // RefreshConfigType 2, for the account (TargetId = AuthId)
}

func (s RefreshSettings) validate() error {
	for _, f := range []Frequency{s.HostSync, s.CloudServiceSync, s.KeyCheck} {
		if f == "" {
			continue
		}
		if _, err := ParseFrequency(string(f)); err != nil {
			return err
		}
	}
	return nil
}
