package voltasis

import (
	"strconv"
	"strings"
	"time"
)

// serverSentEvent is one event of a text/event-stream body.
type serverSentEvent struct {
	// Event is `event:`, or "message" when the event named none.
	Event string
	// Data is the `data:` lines, joined with "\n".
	Data string
	// ID is the last event id when the event was dispatched (its own `id:` or an earlier one's).
	ID string
}

// sseParser reads a text/event-stream body as the WHATWG HTML standard's "event stream
// interpretation" (§9.2.6) does: lines end with CRLF, LF or CR, even when a chunk splits the CR
// from its LF; `data:` lines join with "\n"; `:` starts a comment (the API's heartbeat); `id:` sets
// the last event id, which the event keeps; `retry:` with digits only sets the reconnection delay;
// a blank line dispatches the event, none without data. It works on bytes: the line ends it looks
// for are ASCII, so a chunk may split a multi-byte character.
type sseParser struct {
	// lastEventID is the last event id at the latest blank line: where a reconnection resumes.
	lastEventID string
	// retry is the latest valid `retry:`; retrySet says whether one came.
	retry    time.Duration
	retrySet bool

	idBuffer  string
	eventType string
	data      []string
	partial   string
	afterCR   bool
	started   bool
}

// feed returns the events that chunk (any slice of the body) completes.
func (p *sseParser) feed(chunk string) []serverSentEvent {
	if chunk == "" {
		return nil
	}
	if !p.started {
		p.started = true
		chunk = strings.TrimPrefix(chunk, "\uFEFF")
	}
	// A CR that ended the previous chunk has ended its line already; an LF right after it is the
	// rest of that CRLF, not a blank line.
	if p.afterCR {
		chunk = strings.TrimPrefix(chunk, "\n")
	}
	p.afterCR = strings.HasSuffix(chunk, "\r")
	text := p.partial + chunk
	var events []serverSentEvent
	for {
		end := strings.IndexAny(text, "\r\n")
		if end < 0 {
			break
		}
		line := text[:end]
		if text[end] == '\r' && end+1 < len(text) && text[end+1] == '\n' {
			end++
		}
		text = text[end+1:]
		if event, ok := p.line(line); ok {
			events = append(events, event)
		}
	}
	p.partial = text
	return events
}

func (p *sseParser) line(line string) (serverSentEvent, bool) {
	if line == "" {
		return p.dispatch()
	}
	if strings.HasPrefix(line, ":") {
		return serverSentEvent{}, false
	}
	field, value, _ := strings.Cut(line, ":")
	value = strings.TrimPrefix(value, " ")
	switch field {
	case "event":
		p.eventType = value
	case "data":
		p.data = append(p.data, value)
	case "id":
		if !strings.ContainsRune(value, 0) {
			p.idBuffer = value
		}
	case "retry":
		if ms, err := strconv.ParseUint(value, 10, 32); err == nil && strings.Trim(value, "0123456789") == "" {
			p.retry, p.retrySet = time.Duration(ms)*time.Millisecond, true
		}
	}
	return serverSentEvent{}, false
}

func (p *sseParser) dispatch() (serverSentEvent, bool) {
	p.lastEventID = p.idBuffer
	data, eventType := p.data, p.eventType
	p.data, p.eventType = nil, ""
	if len(data) == 0 {
		return serverSentEvent{}, false
	}
	if eventType == "" {
		eventType = "message"
	}
	return serverSentEvent{Event: eventType, Data: strings.Join(data, "\n"), ID: p.lastEventID}, true
}
