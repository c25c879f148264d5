package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	gh "github.com/google/go-github/v60/github"
)

// api calls the GitHub REST API through go-github and waits out rate
// limits with its own clock, so tests run instantly with a fake one. A fresh
// go-github client is made per call: go-github's own rate-limit memory uses
// the wall clock and would refuse calls a fake clock has already waited for.
type api struct {
	httpClient *http.Client
	baseURL    string // "" for api.github.com
	token      string
	now        func() time.Time
	sleep      func(context.Context, time.Duration) error
	onWait     func(d time.Duration, reason string)
	maxRetries int

	mu        sync.Mutex
	remaining int
	reset     time.Time
	known     bool
}

func (a *api) client() (*gh.Client, error) {
	c := gh.NewClient(a.httpClient)
	if a.token != "" {
		c = c.WithAuthToken(a.token)
	}
	if a.baseURL != "" {
		return c.WithEnterpriseURLs(a.baseURL, a.baseURL)
	}
	return c, nil
}

// call runs fn, retrying after primary (X-RateLimit-Remaining: 0 until
// X-RateLimit-Reset) and secondary (Retry-After) rate limits. Before each
// call it waits when the last response said no requests remain.
func (a *api) call(ctx context.Context, fn func(*gh.Client) (*gh.Response, error)) (*gh.Response, error) {
	backoff := time.Minute
	for attempt := 0; ; attempt++ {
		if err := a.waitRemaining(ctx); err != nil {
			return nil, err
		}
		c, err := a.client()
		if err != nil {
			return nil, fmt.Errorf("github client: %w", err)
		}
		resp, err := fn(c)
		if resp != nil && resp.Response != nil && resp.Rate.Limit > 0 {
			a.mu.Lock()
			a.remaining, a.reset, a.known = resp.Rate.Remaining, resp.Rate.Reset.Time, true
			a.mu.Unlock()
		}
		var (
			rl  *gh.RateLimitError
			ab  *gh.AbuseRateLimitError
			d   time.Duration
			why string
		)
		switch {
		case errors.As(err, &rl):
			d, why = max(rl.Rate.Reset.Time.Sub(a.now()), time.Second), "rate limit"
		case errors.As(err, &ab):
			d, why = backoff, "secondary rate limit"
			if ab.RetryAfter != nil && *ab.RetryAfter > 0 {
				d = *ab.RetryAfter
			} else {
				backoff = min(2*backoff, 15*time.Minute)
			}
		default:
			return resp, err
		}
		if attempt >= a.maxRetries {
			return resp, err
		}
		if werr := a.wait(ctx, d, why); werr != nil {
			return resp, werr
		}
	}
}

func (a *api) waitRemaining(ctx context.Context) error {
	a.mu.Lock()
	d := time.Duration(0)
	if a.known && a.remaining <= 0 {
		d = a.reset.Sub(a.now())
	}
	a.mu.Unlock()
	if d <= 0 {
		return nil
	}
	if err := a.wait(ctx, d+time.Second, "rate limit"); err != nil {
		return err
	}
	a.mu.Lock()
	a.known = false
	a.mu.Unlock()
	return nil
}

func (a *api) wait(ctx context.Context, d time.Duration, why string) error {
	if a.onWait != nil {
		a.onWait(d, why)
	}
	if err := a.sleep(ctx, d); err != nil {
		return fmt.Errorf("wait for %s: %w", why, err)
	}
	return nil
}

// sleepCtx sleeps d or until ctx is done.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// listRepos lists every repository of owner (an org, or a user when user
// is true), following pagination, keeping of each only what a sweep needs
// (a listing entry is kilobytes; a Repo is a few hundred bytes).
func (a *api) listRepos(ctx context.Context, owner string, user bool) ([]Repo, error) {
	var all []Repo
	page := 1
	for page != 0 {
		var repos []*gh.Repository
		resp, err := a.call(ctx, func(c *gh.Client) (*gh.Response, error) {
			var (
				r   *gh.Response
				err error
			)
			lo := gh.ListOptions{Page: page, PerPage: 100}
			if user {
				repos, r, err = c.Repositories.ListByUser(ctx, owner, &gh.RepositoryListByUserOptions{Type: "owner", ListOptions: lo})
			} else {
				repos, r, err = c.Repositories.ListByOrg(ctx, owner, &gh.RepositoryListByOrgOptions{Type: "all", ListOptions: lo})
			}
			return r, err
		})
		if err != nil {
			return all, fmt.Errorf("list repositories of %s: %w", owner, err)
		}
		for _, r := range repos {
			all = append(all, repoOf(r))
		}
		page = resp.NextPage
	}
	return all, nil
}

// Repo is what a sweep keeps of a listed repository.
type Repo struct {
	FullName, Name, Owner string
	CloneURL, HTMLURL     string
	DefaultBranch         string
	Visibility            string // public, private or internal
	Fork, Archived        bool
	Private               bool
	PushedAt              time.Time
	SizeKB                int
}

func repoOf(r *gh.Repository) Repo {
	vis := r.GetVisibility()
	if vis == "" {
		vis = "public"
		if r.GetPrivate() {
			vis = "private"
		}
	}
	return Repo{FullName: r.GetFullName(), Name: r.GetName(), Owner: r.GetOwner().GetLogin(),
		CloneURL: r.GetCloneURL(), HTMLURL: r.GetHTMLURL(), DefaultBranch: r.GetDefaultBranch(),
		Visibility: vis, Fork: r.GetFork(), Archived: r.GetArchived(), Private: r.GetPrivate(),
		PushedAt: r.GetPushedAt().Time, SizeKB: r.GetSize()}
}
