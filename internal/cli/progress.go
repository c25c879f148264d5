package cli

import (
	"fmt"
	"sync"
	"time"
)

// progress prints a one-line status to stderr while a long job runs: on a
// terminal it redraws in place every 200 ms after the first second; when
// stderr is not a terminal it prints a line every 10 s. Safe for concurrent use.
type progress struct {
	streams *IO
	label   string
	poll    func() (done, total, bytes int64) // total < 0: unknown
	start   time.Time
	stop    chan struct{}
	wg      sync.WaitGroup
	drawn   bool
}

// startProgress starts reporting; poll is called from the progress
// goroutine and must be safe for concurrent use. Disabled when off is true.
func startProgress(streams *IO, label string, off bool, poll func() (done, total, bytes int64)) *progress {
	p := &progress{streams: streams, label: label, poll: poll, start: time.Now(), stop: make(chan struct{})}
	if off {
		return p
	}
	p.wg.Add(1)
	go p.run()
	return p
}

func (p *progress) run() {
	defer p.wg.Done()
	every := 200 * time.Millisecond
	if !p.streams.ErrIsTTY {
		every = 10 * time.Second
	}
	delay := time.NewTimer(time.Second)
	defer delay.Stop()
	select {
	case <-p.stop:
		return
	case <-delay.C:
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		p.draw()
		select {
		case <-p.stop:
			return
		case <-t.C:
		}
	}
}

func (p *progress) draw() {
	done, total, bytes := p.poll()
	el := time.Since(p.start).Seconds()
	mbps := float64(bytes) / 1e6 / max(el, 1e-9)
	line := fmt.Sprintf("%s: %d", p.label, done)
	if total > 0 {
		line += fmt.Sprintf("/%d (%.0f%%)", total, 100*float64(done)/float64(total))
		if done > 0 && done < total {
			eta := time.Duration(el * float64(total-done) / float64(done) * float64(time.Second))
			line += fmt.Sprintf(", ETA %s", eta.Round(time.Second))
		}
	}
	line += fmt.Sprintf(", %.1f MB/s", mbps)
	if p.streams.ErrIsTTY {
		fmt.Fprintf(p.streams.Err, "\r\033[K%s", line)
		p.drawn = true
	} else {
		fmt.Fprintln(p.streams.Err, line)
	}
}

// Stop ends reporting and clears the live line. Call once.
func (p *progress) Stop() {
	close(p.stop)
	p.wg.Wait()
	if p.drawn {
		fmt.Fprint(p.streams.Err, "\r\033[K")
	}
}
