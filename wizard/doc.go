// Package wizard holds every live terminal view of onboard: the onboarding wizard, a face on the onboarding
// engine, and the progress views.
//
// The wizard's answers are an onboarding.Request (plus the keys the person chose), in the request's own
// vocabulary, started from onboarding.Defaults. The review renders the engine's typed Plan, and one
// ApplyPlan runs it, the first sync and the root key included; the wizard renders the engine's typed
// events and its Result. The model is split by phase: questions (huh forms), review, apply, sync and
// summary. Update is pure: IO happens only in tea.Cmds that return typed messages, under a context the
// program owns (no model stores one).
//
// It must not import cmd, store internals, nor any cloud SDK. The Charm libraries belong to this package.
package wizard
