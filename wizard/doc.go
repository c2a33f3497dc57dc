// Package wizard holds every live terminal view of onboard: the onboarding wizard that turns a person's
// answers into an onboarding request and then renders the engine's events, and the progress views.
//
// Screens are data (see screens.go); Update is pure and never does IO: every call to a cloud goes through a
// small interface declared here (CredentialChecker, UserChecker, RegionLister, LogsetLister, ...) and runs
// inside a tea.Cmd that returns a typed message. The command layer passes in adapters over the real clients;
// tests pass hand-written fakes.
//
// It must not import cmd, store internals, nor any cloud SDK. The Charm libraries belong to this package.
package wizard
