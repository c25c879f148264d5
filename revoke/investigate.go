package revoke

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"golang.org/x/sync/errgroup"
	"golang.org/x/time/rate"
)

// DefaultRegions returns the regions Investigate searches by default: the
// commercial regions enabled in every account. us-east-1 holds IAM and
// global STS events.
func DefaultRegions() []string {
	return []string{"us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1",
		"eu-west-1", "eu-west-2", "eu-west-3", "eu-central-1", "eu-north-1",
		"ap-south-1", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
		"ap-southeast-1", "ap-southeast-2", "sa-east-1"}
}

// LookupRate is CloudTrail's LookupEvents limit: 2 requests per second per
// account and region.
const LookupRate = 2

// InvestigateOptions choose where and when to look.
type InvestigateOptions struct {
	Regions []string  // default DefaultRegions()
	Since   time.Time // default 90 days before now (CloudTrail's event history)
	Until   time.Time // default now
	// UsualRegions are where the account runs instances; RunInstances
	// elsewhere is flagged. Default: the responder's region and us-east-1.
	UsualRegions []string
	// Rate is LookupEvents requests per second per region (default LookupRate).
	Rate float64
	// NoFollow skips the temporary keys the key minted.
	NoFollow bool
}

// Investigation is what CloudTrail says a key did. Times are UTC.
type Investigation struct {
	KeyID      string        `json:"key_id"`
	AccountID  string        `json:"account_id"`
	Regions    []string      `json:"regions"` // searched
	Since      time.Time     `json:"since"`
	Until      time.Time     `json:"until"`
	Requests   int           `json:"requests"` // LookupEvents calls made
	Minted     []string      `json:"minted,omitempty"`
	Total      int           `json:"total_events"`
	Events     []Event       `json:"events,omitempty"` // oldest first; not journaled
	First      time.Time     `json:"first_use,omitzero"`
	Last       time.Time     `json:"last_use,omitzero"`
	SourceIPs  []Count       `json:"source_ips"`
	UserAgents []Count       `json:"user_agents"`
	UsedIn     []Count       `json:"regions_used"`
	EventNames []Count       `json:"event_names"`
	ErrorCodes []Count       `json:"error_codes,omitempty"`
	Flags      []Flag        `json:"flags"`
	Eradicate  []Resource    `json:"eradicate"`
	Errors     []RegionError `json:"errors,omitempty"` // regions that could not be searched
}

// Event is one CloudTrail event made with the key or a key it minted.
type Event struct {
	ID        string    `json:"id"`
	Time      time.Time `json:"time"`
	Region    string    `json:"region"`
	Source    string    `json:"source"`
	Name      string    `json:"name"`
	KeyID     string    `json:"key_id"`
	User      string    `json:"user,omitempty"`
	SourceIP  string    `json:"source_ip,omitempty"`
	UserAgent string    `json:"user_agent,omitempty"`
	ErrorCode string    `json:"error_code,omitempty"`
	record    *ctRecord
}

// Count is a value and how often it was seen.
type Count struct {
	Value string `json:"value"`
	N     int    `json:"n"`
}

// Flag is an event of the kind attackers make after a key leaks.
type Flag struct {
	Event     Event      `json:"event"`
	Reason    string     `json:"reason"`
	Failed    bool       `json:"failed,omitempty"` // the call was refused: nothing to clean up
	Resources []Resource `json:"resources,omitempty"`
}

// Resource is something a flagged call made, to remove during eradication.
type Resource struct {
	Type   string `json:"type"` // AWS::IAM::User, AWS::EC2::Instance, …
	ID     string `json:"id"`
	Region string `json:"region,omitempty"`
	Remove string `json:"remove"` // what to do, for people
}

// RegionError is a region whose events could not all be read.
type RegionError struct {
	Region string `json:"region"`
	KeyID  string `json:"key_id"`
	Error  string `json:"error"`
}

// Investigate reads CloudTrail's event history for keyID in the key's
// account (LookupEvents by AccessKeyId, every page, at most Rate requests
// per second per region, regions in parallel), then the same for each
// temporary key it minted (GetSessionToken, AssumeRole…) one level deep,
// and summarizes: first and last use, source IPs, user agents, regions,
// event names, error codes, flagged abuse and the resources to eradicate.
// A region that fails is listed in Errors and the rest still counts;
// AccessDenied or rejected credentials end the investigation with an error.
// The summary is journaled when a journal directory is set.
func (r *Responder) Investigate(ctx context.Context, keyID string, opts InvestigateOptions) (Investigation, error) {
	o, a, err := r.where(ctx, keyID)
	inv := Investigation{KeyID: keyID, AccountID: o.AccountID}
	if err != nil {
		return inv, err
	}
	if a == nil {
		return inv, ErrNotOurs
	}
	r.investigateDefaults(&opts)
	inv.Regions, inv.Since, inv.Until = opts.Regions, opts.Since, opts.Until
	lim := map[string]*rate.Limiter{}
	for _, reg := range opts.Regions {
		lim[reg] = rate.NewLimiter(rate.Limit(opts.Rate), 1)
	}
	var calls atomic.Int64
	evs, errs, err := r.lookupAll(ctx, a, keyID, opts, lim, &calls)
	if err != nil {
		return inv, err
	}
	if !opts.NoFollow {
		inv.Minted = mintedKeys(evs)
		for _, id := range inv.Minted {
			more, moreErrs, err := r.lookupAll(ctx, a, id, opts, lim, &calls)
			if err != nil {
				return inv, err
			}
			evs, errs = append(evs, more...), append(errs, moreErrs...)
		}
	}
	inv.Requests = int(calls.Load())
	inv.Errors = errs
	summarize(&inv, evs, opts.UsualRegions)
	if r.opts.JournalDir != "" && !r.opts.DryRun {
		j, err := r.openJournal(keyID)
		if err != nil {
			return inv, err
		}
		defer j.Close()
		rec := inv
		rec.Events = nil // the summary is the record; the events stay in CloudTrail
		if err := j.record("investigation", rec); err != nil {
			return inv, err
		}
	}
	return inv, nil
}

func (r *Responder) investigateDefaults(opts *InvestigateOptions) {
	if len(opts.Regions) == 0 {
		opts.Regions = DefaultRegions()
	}
	if opts.Until.IsZero() {
		opts.Until = r.now()
	}
	if opts.Since.IsZero() {
		opts.Since = opts.Until.Add(-90 * 24 * time.Hour)
	}
	if opts.Rate <= 0 {
		opts.Rate = LookupRate
	}
	if len(opts.UsualRegions) == 0 {
		opts.UsualRegions = []string{"us-east-1"}
		if r.region != "" && r.region != "us-east-1" {
			opts.UsualRegions = append(opts.UsualRegions, r.region)
		}
	}
}

// lookupAll reads every event of keyID in every region, at most four
// regions at a time. Region failures are returned as RegionErrors; denied
// or rejected credentials and cancellation as the error.
func (r *Responder) lookupAll(ctx context.Context, a *account, keyID string, opts InvestigateOptions,
	lim map[string]*rate.Limiter, calls *atomic.Int64) ([]Event, []RegionError, error) {
	var mu sync.Mutex
	var evs []Event
	var errs []RegionError
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(4)
	for _, reg := range opts.Regions {
		g.Go(func() error {
			got, err := lookupRegion(gctx, a, reg, keyID, opts, lim[reg], calls)
			mu.Lock()
			defer mu.Unlock()
			evs = append(evs, got...)
			if err == nil {
				return nil
			}
			var d *DeniedError
			var c *CredentialsError
			if errors.As(err, &d) || errors.As(err, &c) || ctx.Err() != nil {
				return err
			}
			errs = append(errs, RegionError{Region: reg, KeyID: keyID, Error: err.Error()})
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, nil, err
	}
	sort.Slice(errs, func(i, j int) bool { return errs[i].Region+errs[i].KeyID < errs[j].Region+errs[j].KeyID })
	return evs, errs, nil
}

func lookupRegion(ctx context.Context, a *account, region, keyID string, opts InvestigateOptions,
	lim *rate.Limiter, calls *atomic.Int64) ([]Event, error) {
	ct := a.trail(region)
	in := &cloudtrail.LookupEventsInput{
		LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKeyAccessKeyId, AttributeValue: aws.String(keyID)}},
		StartTime:        aws.Time(opts.Since), EndTime: aws.Time(opts.Until), MaxResults: aws.Int32(50),
	}
	var evs []Event
	for page := 0; ; page++ {
		if err := lim.Wait(ctx); err != nil {
			return evs, err
		}
		calls.Add(1)
		out, err := ct.LookupEvents(ctx, in)
		if err != nil {
			return evs, classify("cloudtrail:LookupEvents", a.id, fmt.Errorf("look up events of %s in %s: %w", keyID, region, err))
		}
		for _, e := range out.Events {
			evs = append(evs, eventOf(e, region, keyID))
		}
		if out.NextToken == nil || *out.NextToken == "" {
			return evs, nil
		}
		if page > 10000 {
			return evs, fmt.Errorf("look up events of %s in %s: more than 10000 pages", keyID, region)
		}
		in.NextToken = out.NextToken
	}
}

func eventOf(e cttypes.Event, region, keyID string) Event {
	ev := Event{ID: aws.ToString(e.EventId), Time: aws.ToTime(e.EventTime).UTC(), Region: region,
		Source: aws.ToString(e.EventSource), Name: aws.ToString(e.EventName), KeyID: aws.ToString(e.AccessKeyId),
		User: aws.ToString(e.Username)}
	if ev.KeyID == "" {
		ev.KeyID = keyID
	}
	if rec := parseRecord(aws.ToString(e.CloudTrailEvent)); rec != nil {
		ev.record = rec
		ev.SourceIP, ev.UserAgent, ev.ErrorCode = rec.SourceIP, rec.UserAgent, rec.ErrorCode
		if rec.Region != "" {
			ev.Region = rec.Region
		}
	}
	return ev
}

// mintedKeys returns the temporary key IDs that calls in evs minted.
func mintedKeys(evs []Event) []string {
	var ids []string
	for _, e := range evs {
		if e.record == nil || e.ErrorCode != "" {
			continue
		}
		switch e.Name {
		case "GetSessionToken", "AssumeRole", "GetFederationToken", "AssumeRoleWithSAML", "AssumeRoleWithWebIdentity":
			if id := e.record.str("responseElements", "credentials", "accessKeyId"); id != "" && !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
	}
	sort.Strings(ids)
	return ids
}
