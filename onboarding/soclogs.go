package onboarding

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"onboard/policy"
	"onboard/store"
	"onboard/tencent"
)

// SOCCloud is what `onboard soc logs` asks of Tencent Cloud with the operator's key, besides Cloud: WAF's
// CLS delivery and Cloud Firewall's instances (docs/facts/soc-logs.md).
type SOCCloud interface {
	ListWAFInstances(ctx context.Context, region string) ([]tencent.WAFInstance, error)
	ListWAFDomains(ctx context.Context, region string) ([]tencent.WAFDomain, error)
	ListWAFFlows(ctx context.Context, region string, t tencent.WAFLogType) ([]tencent.WAFFlow, error)
	CreateWAFFlow(ctx context.Context, region string, spec tencent.WAFFlowSpec) error
	DestroyWAFFlow(ctx context.Context, region string, t tencent.WAFLogType, id uint64) error
	SetWAFAccessLog(ctx context.Context, region string, d tencent.WAFDomain, on bool) error
	SetWAFDomainDelivery(ctx context.Context, region string, d tencent.WAFDomain, on bool) error
	SetWAFAttackLogDelivery(ctx context.Context, region, instanceID string, on bool) error
	ListCFWInstances(ctx context.Context, region string) ([]tencent.CFWInstance, error)
}

// Names of what onboard makes for SOC logs. The logset is the one WAF's own log-service authorisation
// creates (Security Center's page on Tencent Cloud logs), so a console set-up and onboard share it.
const (
	SOCLogsetName      = "waf_post_logset"
	SOCAttackTopicName = "onboard_waf_attack"
	SOCAccessTopicName = "onboard_waf_access"
	// DefaultWAFRegion is where the WAF API is called: one of the two regions its delivery actions serve.
	DefaultWAFRegion = "ap-guangzhou"
	// DefaultSOCLogsRegion is the CLS region the WAF logs go to when the account has no audit-log region.
	DefaultSOCLogsRegion = "ap-guangzhou"
)

// Kinds of the ledger for SOC logs. A switch turned on is owned as a create: a rollback turns it off.
const (
	kindWAFFlow           = "waf-flow"
	kindWAFAccessLog      = "waf-access-log"
	kindWAFDomainDelivery = "waf-domain-delivery"
	kindWAFAttackLog      = "waf-attack-log"
)

// Objects of the SOC-logs changes of a plan (Change.Object).
const (
	ObjectWAFFlow           = "waf-flow"
	ObjectWAFAttackLog      = "waf-attack-log"
	ObjectWAFAccessLog      = "waf-access-log"
	ObjectWAFDomainDelivery = "waf-domain-delivery"
	ObjectWAF               = "waf"
	ObjectCFW               = "cfw"
)

// socKinds are removed after the Kafka consumption of their topics, in this order.
var socKinds = []string{kindWAFAccessLog, kindWAFDomainDelivery, kindWAFAttackLog, kindWAFFlow}

// Attribute keys of the SOC entries.
const (
	attrCLSRegion = "cls_region"
	attrLogset    = "logset"
	attrTopic     = "topic"
	attrEdition   = "edition"
	attrInstance  = "instance"
)

// SOCLogsRequest is one run of `onboard soc logs`.
type SOCLogsRequest struct {
	Account string
	// WAF and CFW choose the sources; the command line sets both when neither flag is given.
	WAF, CFW bool
	// WAFRegion is where the WAF API is called (tencent.WAFFlowRegions); default DefaultWAFRegion.
	WAFRegion string
	// CLSRegion is where WAF delivers; default the account's audit-log region, else DefaultSOCLogsRegion.
	CLSRegion string
	// KafkaNetwork is the CLS Kafka address Security Center reads from: public (default) or private.
	KafkaNetwork        string
	DryRun              bool
	SkipPermissionCheck bool
}

// SOCLogsResult is what `onboard soc logs` did or, with DryRun, would do. It never holds a secret.
type SOCLogsResult struct {
	Account  string         `json:"account"`
	DryRun   bool           `json:"dry_run"`
	Planned  []Change       `json:"planned,omitempty"`
	Created  []string       `json:"created"`
	Reused   []string       `json:"reused"`
	WAF      *WAFLogsResult `json:"waf,omitempty"`
	CFW      *CFWLogsResult `json:"cfw,omitempty"`
	Topics   []SOCTopic     `json:"topics"`
	Warnings []string       `json:"warnings,omitempty"`
	// Console is what to enter in Security Center's console (Agentic SOC's Kafka import), which has no
	// documented API for Tencent Cloud log sources.
	Console []string `json:"console"`
}

// WAFLogsResult is what the account's WAF has, and what of it cannot deliver.
type WAFLogsResult struct {
	Present   bool     `json:"present"`
	Instances int      `json:"instances"`
	Domains   int      `json:"domains"`
	Note      string   `json:"note,omitempty"`
	Skipped   []string `json:"skipped,omitempty"`
}

// CFWLogsResult is what the account's Cloud Firewall has, and the console steps its logs need.
type CFWLogsResult struct {
	Present   bool     `json:"present"`
	Instances []string `json:"instances,omitempty"`
	Note      string   `json:"note"`
	Console   []string `json:"console,omitempty"`
}

// SOCTopic is a CLS topic the logs arrive in and how Security Center reads it over Kafka.
type SOCTopic struct {
	Source           string `json:"source"` // waf-attack or waf-access
	Region           string `json:"region"`
	LogsetID         string `json:"logset_id"`
	TopicID          string `json:"topic_id"`
	KafkaTopic       string `json:"kafka_topic"`
	BootstrapServers string `json:"bootstrap_servers"`
}

// SOCSources is what the account has that SOC logs can come from.
type SOCSources struct {
	WAFInstances, WAFDomains, CFWInstances int
}

// Any reports whether the account has WAF domains or Cloud Firewall instances.
func (s SOCSources) Any() bool { return s.WAFDomains > 0 || s.CFWInstances > 0 }

// SOCSourceReader is what telling the account's SOC log sources reads: the WAF instances and domains, and
// the Cloud Firewall instances. *tencent.Client has every method.
type SOCSourceReader interface {
	ListWAFInstances(ctx context.Context, region string) ([]tencent.WAFInstance, error)
	ListWAFDomains(ctx context.Context, region string) ([]tencent.WAFDomain, error)
	ListCFWInstances(ctx context.Context, region string) ([]tencent.CFWInstance, error)
}

// SOCSources tells, reading only, whether the account has WAF domains or Cloud Firewall instances: a face
// offers the SOC-logs step when it does. An account without WAF or CFW counts zero, not an error.
func (e *Engine) SOCSources(ctx context.Context, wafRegion string) (SOCSources, error) {
	cloud, err := e.socCloud()
	if err != nil {
		return SOCSources{}, err
	}
	return FindSOCSources(ctx, cloud, wafRegion)
}

// FindSOCSources is SOCSources with any reader: the wizard asks with the key the person chose, before an
// engine exists. wafRegion "" is DefaultWAFRegion.
func FindSOCSources(ctx context.Context, cloud SOCSourceReader, wafRegion string) (SOCSources, error) {
	if wafRegion == "" {
		wafRegion = DefaultWAFRegion
	}
	var s SOCSources
	inst, err := cloud.ListWAFInstances(ctx, wafRegion)
	if err != nil && !errors.Is(err, tencent.ErrNotFound) {
		return s, err
	}
	s.WAFInstances = len(inst)
	if len(inst) > 0 {
		domains, err := cloud.ListWAFDomains(ctx, wafRegion)
		if err != nil {
			return s, err
		}
		s.WAFDomains = len(domains)
	}
	cfw, err := cloud.ListCFWInstances(ctx, wafRegion)
	if err != nil && !errors.Is(err, tencent.ErrNotFound) {
		return s, err
	}
	s.CFWInstances = len(cfw)
	return s, nil
}

// errNoSOCCloud is an engine whose Tencent Cloud client has no WAF and Cloud Firewall actions.
var errNoSOCCloud = errors.New("this Tencent Cloud client cannot reach WAF and Cloud Firewall")

func (e *Engine) socCloud() (SOCCloud, error) {
	if c, ok := e.Cloud.(SOCCloud); ok {
		return c, nil
	}
	return nil, errNoSOCCloud
}

// socRun is the state of one SOCLogs.
type socRun struct {
	e      *Engine
	cloud  SOCCloud
	req    SOCLogsRequest
	a      store.Account
	ledger ledger
	emit   func(Event)
	res    SOCLogsResult
	// journal is the run whose journal records each part; 0 within an onboarding, whose step journals.
	journal int64 // reused is what is used as it is, as changes of a plan.
	reused  []Change
}

func newSOCResult(req SOCLogsRequest) SOCLogsResult {
	return SOCLogsResult{Account: req.Account, DryRun: req.DryRun, Created: []string{}, Reused: []string{}, Topics: []SOCTopic{}}
}

// socPart is the SOC-logs part of an onboarding (Request.SOCLogs): both sources, the CLS region of its
// audit logs (else DefaultSOCLogsRegion), its Kafka network, within the onboarding's lock and ledger.
func (r *run) socPart(a store.Account, dry bool) *socRun {
	req := SOCLogsRequest{Account: r.res.Account, WAF: true, CFW: true, WAFRegion: DefaultWAFRegion,
		CLSRegion: cmpOr(r.req.AuditRegion, DefaultSOCLogsRegion), KafkaNetwork: cmpOr(r.req.KafkaNetwork, tencent.KafkaPublic), DryRun: dry}
	cloud, _ := r.e.socCloud()
	// The onboarding's own step reports this part; its inner parts are not steps of the onboarding.
	return &socRun{e: r.e, cloud: cloud, req: req, a: a, ledger: r.ledger, emit: func(Event) {}, res: newSOCResult(req)}
}

// socLogs is the onboarding's SOC-logs step: once the account is recorded, as `onboard soc logs` does.
func (r *run) socLogs(ctx context.Context) (map[string]string, error) {
	if !r.req.SOCLogs {
		return nil, nil
	}
	a, err := r.e.DB.Account(ctx, r.res.Account)
	if err != nil {
		return nil, err
	}
	s := r.socPart(a, false)
	if s.cloud == nil {
		return nil, errNoSOCCloud
	}
	err = s.apply(ctx)
	r.res.SOCLogs = &s.res
	return nil, err
}

// planSOCLogs says what the SOC-logs step would do, reading only.
func (r *run) planSOCLogs(ctx context.Context) ([]Change, error) {
	if !r.req.SOCLogs {
		return nil, nil
	}
	s := r.socPart(store.Account{Name: r.res.Account, Site: r.req.Site, SubUserName: r.req.SubUser}, true)
	if s.cloud == nil {
		return nil, errNoSOCCloud
	}
	if err := s.apply(ctx); err != nil {
		return nil, err
	}
	out := append(slices.Clone(s.res.Planned), s.reused...)
	if w := s.res.WAF; w != nil && w.Note != "" {
		out = append(out, Change{Op: OpCheck, Object: ObjectWAF, Detail: w.Note})
	}
	if c := s.res.CFW; c != nil {
		out = append(out, Change{Op: OpCheck, Object: ObjectCFW, Detail: c.Note})
	}
	return out, nil
}

// SOCLogs ships the account's WAF attack and access logs into CLS topics, opens Kafka consumption of them
// for Security Center, and finds its Cloud Firewall. One pre-flight checks the inputs, the key and the
// operator's permissions before any change; each change goes through the ledger, so that a re-run
// changes nothing and `onboard tencent --rollback` and `onboard offboard` remove what it made. An
// account without WAF or CFW is told so, not failed.
func (e *Engine) SOCLogs(ctx context.Context, req SOCLogsRequest, emit func(Event)) (SOCLogsResult, error) {
	if emit == nil {
		emit = func(Event) {}
	}
	s := &socRun{e: e, req: req, emit: emit, res: newSOCResult(req)}
	if err := s.preflight(ctx); err != nil {
		return s.res, err
	}
	if !slices.Contains(s.a.Features, policy.FeatureSOC) {
		s.res.Warnings = append(s.res.Warnings, fmt.Sprintf("account %s was onboarded without feature soc: Agentic SOC is not connected in Security Center and the sub-user has no siemPolicy; add soc with onboard tencent --features ...,soc", s.a.Name))
	}
	if req.DryRun {
		return s.res, s.apply(ctx)
	}
	release, err := e.lockRecorded(ctx, req.Account, "soc-logs", store.LockExclusive)
	if err != nil {
		return s.res, err
	}
	defer release()
	run, err := e.DB.StartRun(ctx, req.Account, "soc-logs")
	if err != nil {
		return s.res, err
	}
	s.ledger, s.journal = ledger{db: e.DB, account: req.Account, runID: run.ID}, run.ID
	if unresolved, err := e.resolveLost(ctx, s.ledger, false); err != nil || len(unresolved) > 0 {
		e.DB.FinishRun(context.WithoutCancel(ctx), run.ID, store.RunFailed)
		if err == nil {
			err = fmt.Errorf("an earlier run was interrupted and what it made cannot be found: %s", strings.Join(unresolved, "; "))
		}
		return s.res, err
	}
	if err := s.apply(ctx); err != nil {
		e.DB.FinishRun(context.WithoutCancel(ctx), run.ID, store.RunFailed)
		return s.res, err
	}
	return s.res, e.DB.FinishRun(ctx, run.ID, store.RunDone)
}

// preflight checks every input and precondition at once: the account, the regions, the operator's key
// (it must belong to the onboarded account) and the operator's permissions.
func (s *socRun) preflight(ctx context.Context) error {
	var ps problems
	a, err := s.e.DB.Account(ctx, s.req.Account)
	switch {
	case errors.Is(err, store.ErrNotFound):
		ps.add(Problem{Input: "--account", Problem: fmt.Sprintf("no onboarded account %q", s.req.Account), Fix: "see onboard accounts list", Class: ProblemUsage, Err: err})
	case err != nil:
		return err
	}
	s.a = a
	if s.req.WAFRegion == "" {
		s.req.WAFRegion = DefaultWAFRegion
	}
	if !slices.Contains(tencent.WAFFlowRegions, s.req.WAFRegion) {
		ps.field(&FieldError{Field: "waf-region", Message: fmt.Sprintf("invalid %q: WAF's log delivery is served in %s", s.req.WAFRegion, strings.Join(tencent.WAFFlowRegions, ", "))})
	}
	if s.req.CLSRegion == "" {
		s.req.CLSRegion = cmpOr(a.Audit.Region, DefaultSOCLogsRegion)
	}
	if !regionID.MatchString(s.req.CLSRegion) {
		ps.field(&FieldError{Field: "cls-region", Message: fmt.Sprintf("invalid region %q (e.g. ap-guangzhou)", s.req.CLSRegion)})
	}
	if s.req.KafkaNetwork == "" {
		s.req.KafkaNetwork = tencent.KafkaPublic
	}
	if _, err := tencent.KafkaBootstrap(s.req.CLSRegion, s.req.KafkaNetwork); err != nil {
		ps.field(&FieldError{Field: "kafka-network", Message: err.Error()})
	}
	if s.cloud, err = s.e.socCloud(); err != nil {
		return err
	}
	if len(ps) == 0 {
		id, err := s.e.Cloud.Identify(ctx)
		switch {
		case err != nil:
			ps.failed("Tencent Cloud key", "cannot identify the caller", err, "check that Tencent Cloud is reachable (or --tencent-endpoint), then run again")
		case id.OwnerUIN != a.OwnerUIN:
			ps.add(Problem{Input: "Tencent Cloud key", Problem: fmt.Sprintf("the key belongs to account %s, not to %s (account %q)", id.OwnerUIN, a.OwnerUIN, a.Name),
				Fix: "use a key of that account (TENCENTCLOUD_SECRET_ID/TENCENTCLOUD_SECRET_KEY or --profile), or name the account the key belongs to with --account", Class: ProblemPrecondition})
		case !id.IsRoot() && !id.IsTemporary() && !s.req.SkipPermissionCheck:
			missing, err := s.e.missingActions(ctx, id, s.neededActions(id.OwnerUIN))
			var pe *PermissionError
			switch {
			case err != nil:
				ps.failed("Tencent Cloud key", "cannot check the operator's permissions", err, "pass --skip-permission-check if a CAM group grants them")
			case len(missing) > 0:
				pe = &PermissionError{Operator: id.UserUIN, Missing: missing}
				ps.add(Problem{Input: "Tencent Cloud key", Problem: fmt.Sprintf("the operator (sub-user %s) may not ship SOC logs; its policies do not allow: %s",
					id.UserUIN, strings.Join(missing, ", ")), Fix: "grant them to the operator, or pass --skip-permission-check if a CAM group grants them",
					Class: ProblemPrecondition, Err: pe})
			}
		}
	}
	if len(ps) > 0 {
		return &PreflightError{Problems: ps}
	}
	return nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// neededActions are the calls SOCLogs makes with the operator's key.
func (s *socRun) neededActions(owner string) []policy.Request {
	var need []policy.Request
	star := func(actions ...string) {
		for _, a := range actions {
			need = append(need, policy.Request{Action: a, Resource: "*"})
		}
	}
	if s.req.WAF {
		star("waf:DescribeInstances", "waf:DescribeDomains", "waf:DescribePostCLSFlows", "waf:CreatePostCLSFlow",
			"waf:ModifyDomainsCLSStatus", "waf:ModifyDomainPostAction", "waf:ModifyInstanceAttackLogPost")
		topic := fmt.Sprintf("qcs::cls:%s:uin/%s:topic/*", s.req.CLSRegion, owner)
		need = append(need, policy.Request{Action: "cls:DescribeKafkaConsumer", Resource: topic}, policy.Request{Action: "cls:OpenKafkaConsumer", Resource: topic})
	}
	if s.req.CFW {
		star("cfw:DescribeCfwInsStatus")
	}
	return need
}

// missingActions says which of needs the operator's own attached policies do not allow.
func (e *Engine) missingActions(ctx context.Context, id tencent.Identity, needs []policy.Request) ([]string, error) {
	uin, err := strconv.ParseUint(id.UserUIN, 10, 64)
	if err != nil {
		return nil, fmt.Errorf("the operator's UIN %q is not a number", id.UserUIN)
	}
	attached, err := e.Cloud.ListAttachedUserPolicies(ctx, uin)
	if err != nil {
		return nil, err
	}
	var docs []*policy.Document
	for _, a := range attached {
		p, err := e.Cloud.GetPolicy(ctx, a.ID)
		if err != nil {
			return nil, fmt.Errorf("read policy %s: %w", a.Name, err)
		}
		if doc, err := policy.Parse([]byte(p.Document)); err == nil {
			docs = append(docs, doc)
		}
	}
	var missing []string
	for _, n := range needs {
		if !policy.Evaluate(docs, n).Allowed && !slices.Contains(missing, n.Action) {
			missing = append(missing, n.Action)
		}
	}
	return missing, nil
}

// step runs one part with its events and, run on its own, its journal entry.
func (s *socRun) step(ctx context.Context, id, title string, fn func(context.Context) error) error {
	s.emit(Event{Step: id, Title: title, Status: "running"})
	if s.journal != 0 {
		if err := s.e.DB.JournalBegin(ctx, s.journal, id); err != nil {
			return err
		}
	}
	if err := fn(ctx); err != nil {
		if s.journal != 0 {
			s.e.DB.JournalFailed(context.WithoutCancel(ctx), s.journal, id, err.Error())
		}
		s.emit(Event{Step: id, Title: title, Status: "failed", Detail: err.Error()})
		return fmt.Errorf("%s: %w", title, err)
	}
	if s.journal != 0 {
		if err := s.e.DB.JournalDone(ctx, s.journal, id, nil); err != nil {
			return err
		}
	}
	s.emit(Event{Step: id, Title: title, Status: "done"})
	return nil
}

func (s *socRun) apply(ctx context.Context) error {
	if s.req.WAF {
		if err := s.step(ctx, "soc-waf", "WAF attack and access logs into CLS, with Kafka consumption", s.waf); err != nil {
			return err
		}
	}
	if s.req.CFW {
		if err := s.step(ctx, "soc-cfw", "Cloud Firewall logs", s.cfw); err != nil {
			return err
		}
	}
	s.console()
	return nil
}

// plan records what a dry run would change, or says whether to change it.
func (s *socRun) plan(c Change) bool {
	if s.req.DryRun {
		s.res.Planned = append(s.res.Planned, c)
	}
	return !s.req.DryRun
}

// reuse records what is used as it is: for people, and as a change of the plan.
func (s *socRun) reuse(c Change, text string) {
	s.res.Reused = append(s.res.Reused, text)
	c.Op = OpReuse
	s.reused = append(s.reused, c)
}

func (s *socRun) waf(ctx context.Context) error {
	region := s.req.WAFRegion
	res := &WAFLogsResult{}
	s.res.WAF = res
	instances, err := s.cloud.ListWAFInstances(ctx, region)
	if err != nil && !errors.Is(err, tencent.ErrNotFound) {
		return err
	}
	if len(instances) == 0 {
		res.Note = "the account has no WAF instance: no WAF logs to ship"
		return nil
	}
	domains, err := s.cloud.ListWAFDomains(ctx, region)
	if err != nil {
		return err
	}
	res.Present, res.Instances, res.Domains = true, len(instances), len(domains)
	if len(domains) == 0 {
		res.Note = "the account's WAF protects no domain yet: the delivery is set up and carries logs once a domain is added"
	}
	for _, t := range []tencent.WAFLogType{tencent.WAFAttackLog, tencent.WAFAccessLog} {
		flow, ok, err := s.wafFlow(ctx, t)
		if err != nil {
			return err
		}
		if t == tencent.WAFAttackLog {
			err = s.attackSwitches(ctx, instances, res)
		} else {
			err = s.accessSwitches(ctx, domains)
		}
		if err != nil {
			return err
		}
		if ok {
			if err := s.consume(ctx, t, flow); err != nil {
				return err
			}
		}
	}
	return nil
}

// wafFlow finds the account's delivery flow of the log type, or creates ours. ok is false when there is
// none to consume yet (a dry run) or the one there is off.
func (s *socRun) wafFlow(ctx context.Context, t tencent.WAFLogType) (tencent.WAFFlow, bool, error) {
	region := s.req.WAFRegion
	flows, err := s.cloud.ListWAFFlows(ctx, region, t)
	if err != nil {
		return tencent.WAFFlow{}, false, err
	}
	if err := s.forgetGoneFlows(ctx, t, flows); err != nil {
		return tencent.WAFFlow{}, false, err
	}
	if i := slices.IndexFunc(flows, func(f tencent.WAFFlow) bool { return f.Enabled }); i >= 0 {
		f := flows[i]
		s.reuse(Change{Object: ObjectWAFFlow, Name: f.LogTopicName, ID: strconv.FormatUint(f.ID, 10), Detail: t.String() + " logs"},
			fmt.Sprintf("WAF %s-log delivery flow %d to CLS topic %s (%s)", t, f.ID, named(f.LogTopicName, f.LogTopicID), f.CLSRegion))
		return f, true, nil
	}
	if len(flows) > 0 {
		// One flow per log type (the emulator's reading; the docs are silent): a flow that is off is
		// someone's, and no API turns it on.
		s.res.Warnings = append(s.res.Warnings, fmt.Sprintf("WAF's %s-log delivery flow %d is off: turn it on in the WAF console (Log shipping), then run again", t, flows[0].ID))
		return tencent.WAFFlow{}, false, nil
	}
	topic := SOCAccessTopicName
	if t == tencent.WAFAttackLog {
		topic = SOCAttackTopicName
	}
	spec := tencent.WAFFlowSpec{LogType: t, CLSRegion: s.req.CLSRegion, LogsetName: SOCLogsetName, Topic: topic}
	if !s.plan(Change{Op: OpCreate, Object: ObjectWAFFlow, Name: topic,
		Detail: fmt.Sprintf("%s logs to CLS topic %s in logset %s (%s), with Kafka consumption of that topic", t, topic, SOCLogsetName, s.req.CLSRegion)}) {
		return tencent.WAFFlow{}, false, nil
	}
	w := object{Kind: kindWAFFlow, Name: t.String(), Region: region, Attrs: map[string]string{attrCLSRegion: spec.CLSRegion, attrLogset: spec.LogsetName, attrTopic: spec.Topic}}
	f, err := creating(ctx, s.ledger, w, func() (tencent.WAFFlow, error) {
		if err := s.cloud.CreateWAFFlow(ctx, region, spec); err != nil {
			return tencent.WAFFlow{}, err
		}
		// The answer names no flow: it is the one of that type delivering to our topic.
		flows, err := s.cloud.ListWAFFlows(ctx, region, t)
		if err != nil {
			return tencent.WAFFlow{}, err
		}
		if f, ok := ourFlow(flows, spec); ok {
			return f, nil
		}
		return tencent.WAFFlow{}, fmt.Errorf("WAF answered the creation of the %s-log flow but does not list it", t)
	}, func(f tencent.WAFFlow) string { return strconv.FormatUint(f.ID, 10) })
	if err != nil {
		return tencent.WAFFlow{}, false, err
	}
	s.res.Created = append(s.res.Created, fmt.Sprintf("WAF %s-log delivery flow %d to CLS topic %s (%s)", t, f.ID, named(f.LogTopicName, f.LogTopicID), f.CLSRegion))
	return f, true, nil
}

// forgetGoneFlows marks the flows of the log type that onboard made and that WAF no longer lists (someone
// destroyed them) as gone from the ledger, so that neither status nor a rollback looks for them again.
func (s *socRun) forgetGoneFlows(ctx context.Context, t tencent.WAFLogType, flows []tencent.WAFFlow) error {
	if s.req.DryRun {
		return nil
	}
	entries, err := s.e.DB.Ledger(ctx, s.a.Name)
	if err != nil {
		return err
	}
	for _, en := range owned(entries) {
		if en.Kind != kindWAFFlow || wafLogType(en.Name) != t || en.Region != s.req.WAFRegion {
			continue
		}
		listed := slices.ContainsFunc(flows, func(f tencent.WAFFlow) bool { return strconv.FormatUint(f.ID, 10) == en.ResourceID })
		if !listed {
			if err := s.ledger.forgetDeleted(ctx, kindWAFFlow, en.ResourceID); err != nil {
				return err
			}
		}
	}
	return nil
}

func ourFlow(flows []tencent.WAFFlow, spec tencent.WAFFlowSpec) (tencent.WAFFlow, bool) {
	i := slices.IndexFunc(flows, func(f tencent.WAFFlow) bool {
		return f.LogTopicName == spec.Topic && f.LogsetName == spec.LogsetName && f.CLSRegion == spec.CLSRegion
	})
	if i < 0 {
		return tencent.WAFFlow{}, false
	}
	return flows[i], true
}

// attackSwitches turns attack-log delivery on for every instance whose edition allows it.
func (s *socRun) attackSwitches(ctx context.Context, instances []tencent.WAFInstance, res *WAFLogsResult) error {
	region := s.req.WAFRegion
	for _, in := range instances {
		switch {
		case !in.AttackLogDeliverable():
			res.Skipped = append(res.Skipped, fmt.Sprintf("WAF instance %s (edition level %d): attack-log delivery needs the enterprise edition or above", in.ID, in.Level))
		case in.AttackLogPost:
			s.reuse(Change{Object: ObjectWAFAttackLog, Name: in.ID}, "attack-log delivery of WAF instance "+in.ID)
		case s.plan(Change{Op: OpUpdate, Object: ObjectWAFAttackLog, Name: in.ID, Detail: "turn on the instance's attack-log delivery"}):
			w := object{Kind: kindWAFAttackLog, Name: in.ID, Region: region}
			if err := creatingNoValue(ctx, s.ledger, w, in.ID, func() error { return s.cloud.SetWAFAttackLogDelivery(ctx, region, in.ID, true) }); err != nil {
				return err
			}
			s.res.Created = append(s.res.Created, "attack-log delivery of WAF instance "+in.ID+" turned on")
		}
	}
	return nil
}

// accessSwitches turns every domain's access log and its delivery to CLS on.
func (s *socRun) accessSwitches(ctx context.Context, domains []tencent.WAFDomain) error {
	region := s.req.WAFRegion
	for _, d := range domains {
		attrs := map[string]string{attrEdition: d.Edition, attrInstance: d.InstanceID}
		if d.AccessLog {
			s.reuse(Change{Object: ObjectWAFAccessLog, Name: d.Domain}, "access log of WAF domain "+d.Domain)
		} else if s.plan(Change{Op: OpUpdate, Object: ObjectWAFAccessLog, Name: d.Domain, Detail: "turn on the domain's access log"}) {
			w := object{Kind: kindWAFAccessLog, Name: d.Domain, Region: region, Attrs: attrs}
			if err := creatingNoValue(ctx, s.ledger, w, d.Domain, func() error { return s.cloud.SetWAFAccessLog(ctx, region, d, true) }); err != nil {
				return err
			}
			s.res.Created = append(s.res.Created, "access log of WAF domain "+d.Domain+" turned on")
		}
		if d.PostCLS {
			s.reuse(Change{Object: ObjectWAFDomainDelivery, Name: d.Domain}, "CLS delivery of WAF domain "+d.Domain)
		} else if s.plan(Change{Op: OpUpdate, Object: ObjectWAFDomainDelivery, Name: d.Domain, Detail: "turn on the domain's delivery to CLS"}) {
			w := object{Kind: kindWAFDomainDelivery, Name: d.Domain, Region: region, Attrs: attrs}
			if err := creatingNoValue(ctx, s.ledger, w, d.Domain, func() error { return s.cloud.SetWAFDomainDelivery(ctx, region, d, true) }); err != nil {
				return err
			}
			s.res.Created = append(s.res.Created, "CLS delivery of WAF domain "+d.Domain+" turned on")
		}
	}
	return nil
}

// consume opens Kafka consumption of the flow's topic the way Security Center reads it, as for audit
// logs. Consumption someone opened with other settings is left as it is and named in a warning.
func (s *socRun) consume(ctx context.Context, t tencent.WAFLogType, f tencent.WAFFlow) error {
	region := f.CLSRegion
	if f.LogTopicID == "" {
		s.res.Warnings = append(s.res.Warnings, fmt.Sprintf("WAF's %s-log delivery flow %d names no CLS topic: open Kafka consumption of its topic in the CLS console", t, f.ID))
		return nil
	}
	c, err := s.e.Cloud.GetKafkaConsumer(ctx, region, f.LogTopicID)
	if err != nil {
		return err
	}
	switch {
	case !c.Enabled:
		if !s.plan(Change{Op: OpCreate, Object: ObjectKafka, Name: f.LogTopicName, ID: f.LogTopicID, Detail: "open Kafka consumption of the topic"}) {
			return nil
		}
		w := object{Kind: kindKafka, Name: f.LogTopicID, Parent: f.LogsetID, Region: region}
		c, err = creating(ctx, s.ledger, w, func() (tencent.KafkaConsumer, error) {
			return s.e.Cloud.OpenKafkaConsumer(ctx, region, f.LogTopicID, auditConsumer)
		}, func(tencent.KafkaConsumer) string { return f.LogTopicID })
		if err != nil {
			return err
		}
		s.res.Created = append(s.res.Created, "Kafka consumption of CLS topic "+f.LogTopicID)
	case c.History != auditConsumer.History || c.JSON != auditConsumer.JSON || c.Compression != auditConsumer.Compression:
		s.res.Warnings = append(s.res.Warnings, fmt.Sprintf("Kafka consumption of CLS topic %s is open with other settings than Security Center reads (%s, %s, compression %s; it needs %s, %s, none): change them in the CLS console",
			f.LogTopicID, kafkaScope(c.History), kafkaFormat(c.JSON), kafkaCompression(c.Compression), kafkaScope(true), kafkaFormat(true)))
		s.reuse(Change{Object: ObjectKafka, Name: f.LogTopicName, ID: f.LogTopicID}, "Kafka consumption of CLS topic "+f.LogTopicID)
	default:
		s.reuse(Change{Object: ObjectKafka, Name: f.LogTopicName, ID: f.LogTopicID}, "Kafka consumption of CLS topic "+f.LogTopicID)
	}
	bootstrap, _ := tencent.KafkaBootstrap(region, s.req.KafkaNetwork)
	s.res.Topics = append(s.res.Topics, SOCTopic{Source: "waf-" + t.String(), Region: region, LogsetID: f.LogsetID, TopicID: f.LogTopicID,
		KafkaTopic: c.TopicID, BootstrapServers: bootstrap})
	return nil
}

// cfw finds the account's Cloud Firewall instances. CFW has no API that ships its logs to CLS, and
// Security Center documents no import of Tencent CFW logs: the console steps are given instead.
func (s *socRun) cfw(ctx context.Context) error {
	list, err := s.cloud.ListCFWInstances(ctx, s.req.WAFRegion)
	if err != nil && !errors.Is(err, tencent.ErrNotFound) {
		return err
	}
	res := &CFWLogsResult{}
	s.res.CFW = res
	if len(list) == 0 {
		res.Note = "the account has no Cloud Firewall instance (NAT or inter-VPC): no Cloud Firewall logs to ship"
		return nil
	}
	res.Present = true
	for _, i := range list {
		res.Instances = append(res.Instances, fmt.Sprintf("%s (%s, %s, %s)", i.ID, i.Name, i.Type, i.Region))
	}
	res.Note = "Cloud Firewall has no API that ships its logs to CLS, and Security Center documents no import of Tencent Cloud Firewall logs: ship them in the consoles"
	res.Console = []string{
		fmt.Sprintf("Cloud Firewall console > Log analysis > Log delivery > deliver to CLS: region %s, logset %s, one topic per log type (intrusion defense: BlockList, IdsLog, TiLog; access control: CFWRuleAcl, CFWRuleVpcAcl)", s.req.CLSRegion, SOCLogsetName),
		"CLS console > each of those topics > Kafka consumption: on, scope history and latest, format JSON, no compression",
		"Security Center console > Agentic SOC > Manage > Integration Settings > data import (Kafka): as for the WAF topics, with each CFW topic's Kafka topic name (Security Center's page on Tencent Cloud logs lists WAF alert logs only)",
	}
	return nil
}

// console fills in what Security Center's console needs to read the topics: Agentic SOC's Kafka import
// has no documented API for Tencent Cloud sources (docs/facts/soc-logs.md).
func (s *socRun) console() {
	if len(s.res.Topics) == 0 {
		return
	}
	site := map[string]string{"mainland": "Chinese mainland", "outside": "outside the Chinese mainland"}[s.a.Site]
	s.res.Console = append(s.res.Console,
		fmt.Sprintf("Security Center console (site: %s) > Agentic SOC > Manage > Integration Settings > data import: create a data import task, channel Kafka", cmpOr(site, s.a.Site)),
		"Security protocol: SASL_PLAINTEXT, mechanism PLAIN",
		fmt.Sprintf("Password: SecretId#SecretKey of sub-user %s (key %s); the SecretKey is not shown here: `onboard accounts reveal-key %s`",
			s.a.SubUserName, tencent.MaskID(s.a.AccessKeyID), s.a.Name))
	for _, t := range s.res.Topics {
		s.res.Console = append(s.res.Console, fmt.Sprintf("%s: bootstrap %s, user (CLS logset ID) %s, Kafka topic %s, format JSON", t.Source, t.BootstrapServers, t.LogsetID, t.KafkaTopic))
	}
}

// socNextSteps is the procedure's next step of feature soc: connecting the WAF and Cloud Firewall logs,
// which the SOC-logs step does on the Tencent side when it ran.
func socNextSteps(account string, done *SOCLogsResult) []string {
	if done == nil {
		return []string{fmt.Sprintf("in Agentic SOC, connect the Tencent Cloud WAF and Cloud Firewall logs, so that its responses can block IPs there: onboard soc logs --account %s ships them into CLS and prints what to enter in Security Center", account)}
	}
	var steps []string
	if len(done.Console) > 0 {
		steps = append(steps, "in Agentic SOC's data import, enter the Kafka values listed under SOC logs: Security Center documents no API for Tencent Cloud log sources")
	}
	if done.CFW != nil && done.CFW.Present {
		steps = append(steps, "ship the Cloud Firewall logs in the consoles, as listed under SOC logs: Cloud Firewall has no API for it")
	}
	if len(steps) == 0 {
		steps = append(steps, "no WAF or Cloud Firewall logs to connect in Agentic SOC yet (see SOC logs); run onboard soc logs --account "+account+" once there are")
	}
	return steps
}
