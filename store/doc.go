// Package store keeps what onboard must remember on this machine: secrets in the OS keyring (or an
// explicit, warned-about file), and accounts, the onboarding journal, the asset inventory and sync outcomes
// in an embedded SQLite database.
//
// It is the only package that imports the keyring library and SQLite. It must not import the cloud SDKs nor
// any other package of this project.
package store
