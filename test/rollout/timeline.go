package rollout

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Timeline is a sync as Argo CD reports it: for each resource of the
// Application, when it was first reported applied (Synced, not Missing)
// and when first healthy (Healthy, or Synced for a kind without health),
// measured from the start of the sync.
type Timeline struct {
	start   time.Time
	waves   map[string]int // Kind/name → wave
	applied map[string]time.Duration
	healthy map[string]time.Duration
	// skip are resources already healthy when the sync began (a re-sync
	// leaves them alone): they have no place in its timeline.
	skip map[string]bool
}

// NewTimeline starts a timeline at start for objects with waves; before
// is the Application's status then (nil for a first sync).
func NewTimeline(start time.Time, waves map[string]int, before *Status) *Timeline {
	t := &Timeline{start: start, waves: waves, applied: map[string]time.Duration{}, healthy: map[string]time.Duration{}, skip: map[string]bool{}}
	if before != nil {
		for _, r := range before.Resources {
			if r.Sync == "Synced" && (r.Health == "" || r.Health == "Healthy") {
				t.skip[r.Key()] = true
			}
		}
	}
	return t
}

// Observe records a status read at now.
func (t *Timeline) Observe(s Status, now time.Time) {
	at := now.Sub(t.start)
	for _, r := range s.Resources {
		k := r.Key()
		if t.skip[k] {
			continue
		}
		if _, ok := t.applied[k]; !ok && r.Sync == "Synced" && r.Health != "Missing" {
			t.applied[k] = at
		}
		if _, ok := t.healthy[k]; !ok && r.Sync == "Synced" && (r.Health == "" || r.Health == "Healthy") {
			t.healthy[k] = at
			if _, ok := t.applied[k]; !ok {
				t.applied[k] = at
			}
		}
	}
}

// WaveRow is a wave of the sync: when its first resource was applied,
// when its last turned healthy, and which one that was.
type WaveRow struct {
	Wave       int
	Start, End time.Duration
	Objects    int
	Slowest    string // the resource that turned healthy last
	Pending    []string
}

// Rows are the waves in order, with what has not turned healthy yet.
func (t *Timeline) Rows() []WaveRow {
	byWave := map[int]*WaveRow{}
	for k, w := range t.waves {
		if t.skip[k] {
			continue
		}
		start, applied := t.applied[k]
		if !applied {
			continue // not part of this sync (yet)
		}
		r := byWave[w]
		if r == nil {
			r = &WaveRow{Wave: w, Start: start}
			byWave[w] = r
		}
		r.Objects++
		r.Start = min(r.Start, start)
		end, ok := t.healthy[k]
		if !ok {
			r.Pending = append(r.Pending, k)
			continue
		}
		if end > r.End || (end == r.End && k < r.Slowest) {
			r.End, r.Slowest = end, k
		}
	}
	var rows []WaveRow
	for _, r := range byWave {
		slices.Sort(r.Pending)
		rows = append(rows, *r)
	}
	slices.SortFunc(rows, func(a, b WaveRow) int { return a.Wave - b.Wave })
	return rows
}

// Markdown is the timeline as a table, seconds from the start of the sync.
func (t *Timeline) Markdown() string {
	var b strings.Builder
	b.WriteString("| wave | start | healthy | objects | last to turn healthy |\n| ---: | ---: | ---: | ---: | --- |\n")
	for _, r := range t.Rows() {
		end, last := secs(r.End), r.Slowest
		if len(r.Pending) > 0 {
			end, last = "never", "not healthy: "+strings.Join(r.Pending, ", ")
		}
		fmt.Fprintf(&b, "| %d | %s | %s | %d | %s |\n", r.Wave, secs(r.Start), end, r.Objects, last)
	}
	return b.String()
}

func secs(d time.Duration) string { return fmt.Sprintf("%.0f s", d.Seconds()) }
