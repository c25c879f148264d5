package github

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	gh "github.com/google/go-github/v60/github"

	"github.com/keysweep/keysweep/scanner"
)

// Text outside git gets the same detector as blobs: keys are pasted into
// issues, pull-request reviews and gists too.

func gistUnit(user string) string { return "gists/" + user }

// gistOwners returns the users whose gists are swept: the members of every
// org and the users given, deduplicated, sorted, in the shard.
func (s *sweeper) gistOwners(ctx context.Context, errs []scanner.UnitError) ([]string, []scanner.UnitError) {
	seen := map[string]bool{}
	var out []string
	add := func(u string) {
		if !seen[u] && s.opts.Shard.Has(gistUnit(u)) {
			seen[u] = true
			out = append(out, u)
		}
	}
	for _, org := range s.opts.Orgs {
		for page := 1; page != 0; {
			var users []*gh.User
			resp, err := s.api.call(ctx, func(c *gh.Client) (*gh.Response, error) {
				var r *gh.Response
				var err error
				users, r, err = c.Organizations.ListMembers(ctx, org, &gh.ListMembersOptions{ListOptions: gh.ListOptions{Page: page, PerPage: 100}})
				return r, err
			})
			if err != nil {
				errs = append(errs, scanner.UnitError{Unit: org + " members", Err: fmt.Sprintf("list members of %s: %v", org, err)})
				break
			}
			for _, u := range users {
				add(u.GetLogin())
			}
			page = resp.NextPage
		}
	}
	for _, u := range s.opts.Users {
		add(u)
	}
	sort.Strings(out)
	return out, errs
}

// gists sweeps the gists of user changed since the last sweep.
func (s *sweeper) gists(ctx context.Context, user string) {
	name := gistUnit(user)
	if ctx.Err() != nil || s.commitErr.Load() != nil {
		return
	}
	prev, ok, err := s.state.Load(name)
	if err == nil && ok && s.opts.SweepID != "" && prev.SweepID == s.opts.SweepID {
		s.progress.Skipped.Add(1)
		s.progress.Done.Add(1)
		return
	}
	started := s.opts.Now()
	col := scanner.NewCollector(nil)
	next := UnitState{SweepID: s.opts.SweepID, Since: prev.Since}
	if err := s.scanGists(ctx, user, prev, col); err != nil {
		if ctx.Err() != nil {
			return
		}
		col.AddError(name, err)
	} else {
		next.Since = started
	}
	res := col.Result()
	next.Err = joinErrors(res.Errors)
	if next.Err != "" {
		s.progress.Failed.Add(1)
	}
	s.commit(Unit{Name: name, State: next, Findings: res.Findings, Files: res.Stats.Files, Bytes: res.Stats.Bytes})
}

func (s *sweeper) scanGists(ctx context.Context, user string, prev UnitState, col *scanner.Collector) error {
	opt := &gh.GistListOptions{ListOptions: gh.ListOptions{PerPage: 100}}
	if !prev.Since.IsZero() {
		opt.Since = prev.Since
	}
	for page := 1; page != 0; {
		opt.Page = page
		var list []*gh.Gist
		resp, err := s.api.call(ctx, func(c *gh.Client) (*gh.Response, error) {
			var r *gh.Response
			var err error
			list, r, err = c.Gists.List(ctx, user, opt)
			return r, err
		})
		if err != nil {
			return fmt.Errorf("list gists of %s: %w", user, err)
		}
		for _, g := range list {
			var full *gh.Gist
			_, err := s.api.call(ctx, func(c *gh.Client) (*gh.Response, error) {
				var r *gh.Response
				var err error
				full, r, err = c.Gists.Get(ctx, g.GetID())
				return r, err
			})
			if err != nil {
				col.AddError("gist "+g.GetID(), err)
				continue
			}
			for fname, f := range full.Files {
				s.scanText(col, gistUnit(user), g.GetID()+"/"+string(fname), "gist",
					full.GetHTMLURL()+"#file-"+slug(string(fname)), f.GetContent())
			}
		}
		page = resp.NextPage
	}
	return nil
}

// comments scans the issue and pull-request review comments of r updated
// since since (all of them when zero).
func (s *sweeper) comments(ctx context.Context, r Repo, since time.Time, col *scanner.Collector) error {
	owner, name := r.Owner, r.Name
	for _, review := range []bool{false, true} {
		for page := 1; page != 0; {
			lo := gh.ListOptions{Page: page, PerPage: 100}
			type comment struct {
				id         int64
				body, link string
			}
			var got []comment
			resp, err := s.api.call(ctx, func(c *gh.Client) (*gh.Response, error) {
				got = got[:0]
				if review {
					o := &gh.PullRequestListCommentsOptions{Since: since, ListOptions: lo}
					cs, r, err := c.PullRequests.ListComments(ctx, owner, name, 0, o)
					for _, x := range cs {
						got = append(got, comment{x.GetID(), x.GetBody(), x.GetHTMLURL()})
					}
					return r, err
				}
				o := &gh.IssueListCommentsOptions{ListOptions: lo}
				if !since.IsZero() {
					o.Since = &since
				}
				cs, r, err := c.Issues.ListComments(ctx, owner, name, 0, o)
				for _, x := range cs {
					got = append(got, comment{x.GetID(), x.GetBody(), x.GetHTMLURL()})
				}
				return r, err
			})
			if err != nil {
				return fmt.Errorf("list comments of %s: %w", r.FullName, err)
			}
			for _, c := range got {
				s.scanText(col, r.FullName, "comment/"+strconv.FormatInt(c.id, 10), "comment", c.link, c.body)
			}
			page = resp.NextPage
		}
	}
	return nil
}

func (s *sweeper) scanText(col *scanner.Collector, unit, path, kind, url, text string) {
	if text == "" {
		return
	}
	col.Count(int64(len(text)))
	ms, err := s.det.ScanBlob(path, []byte(text))
	col.AddError(unit+" "+path, err)
	for _, m := range ms {
		col.Add(m, scanner.Location{Repo: unit, Path: path, Kind: kind, URL: url})
	}
}

func slug(name string) string {
	return strings.ToLower(strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '-'
	}, name))
}
