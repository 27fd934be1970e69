package voltasis

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

const sseFrame = "retry: 3000\n\nid: evt_1\nevent: tag.created\ndata: {\"id\":\"evt_1\"}\n\n: heartbeat\n\n" +
	"id: evt_2\nevent: tag.updated\ndata: {\"id\":\"evt_2\"}\n\n"

func parseSSE(chunks ...string) ([]serverSentEvent, *sseParser) {
	p := &sseParser{}
	var events []serverSentEvent
	for _, chunk := range chunks {
		events = append(events, p.feed(chunk)...)
	}
	return events, p
}

func TestSSEParserReadsTheAPIsFramesAndSkipsHeartbeats(t *testing.T) {
	events, p := parseSSE(sseFrame)
	want := []serverSentEvent{
		{Event: "tag.created", Data: `{"id":"evt_1"}`, ID: "evt_1"},
		{Event: "tag.updated", Data: `{"id":"evt_2"}`, ID: "evt_2"},
	}
	if !reflect.DeepEqual(events, want) {
		t.Fatalf("events = %+v", events)
	}
	if !p.retrySet || p.retry != 3*time.Second || p.lastEventID != "evt_2" {
		t.Errorf("retry %v (%v), last id %q", p.retry, p.retrySet, p.lastEventID)
	}
}

func TestSSEParserGivesTheSameEventsHoweverTheBodyIsCut(t *testing.T) {
	whole, _ := parseSSE(sseFrame)
	if bytes, _ := parseSSE(strings.Split(sseFrame, "")...); !reflect.DeepEqual(bytes, whole) {
		t.Errorf("one byte at a time: %+v", bytes)
	}
	for cut := 1; cut < len(sseFrame); cut++ {
		if events, _ := parseSSE(sseFrame[:cut], sseFrame[cut:]); !reflect.DeepEqual(events, whole) {
			t.Fatalf("cut at %d: %+v", cut, events)
		}
	}
}

func TestSSEParserEndsLinesAtCRLFOrLFOrCREvenWithACRLFCutInTwo(t *testing.T) {
	whole, _ := parseSSE(sseFrame)
	crlf := strings.ReplaceAll(sseFrame, "\n", "\r\n")
	split := strings.Index(crlf, "\r\n") + 1
	for name, chunks := range map[string][]string{
		"CRLF":              {crlf},
		"CR":                {strings.ReplaceAll(sseFrame, "\n", "\r")},
		"CRLF byte by byte": strings.Split(crlf, ""),
		"CR | LF":           {crlf[:split], crlf[split:]},
	} {
		if events, _ := parseSSE(chunks...); !reflect.DeepEqual(events, whole) {
			t.Errorf("%s: %+v", name, events)
		}
	}
}

func TestSSEParserJoinsMultiLineDataAndStripsOneSpaceOnly(t *testing.T) {
	events, _ := parseSSE("data: first\ndata:second\ndata:  third\ndata\n\n")
	want := []serverSentEvent{{Event: "message", Data: "first\nsecond\n third\n"}}
	if !reflect.DeepEqual(events, want) {
		t.Errorf("events = %q", events)
	}
}

func TestSSEParserKeepsTheLastIDAndDropsWhatHasNoDataOrNoEnd(t *testing.T) {
	events, p := parseSSE("id: evt_1\n\ndata: a\n\nid: evt_2\ndata: b\n\nid: evt_3\ndata: cut off")
	want := []serverSentEvent{{Event: "message", Data: "a", ID: "evt_1"}, {Event: "message", Data: "b", ID: "evt_2"}}
	if !reflect.DeepEqual(events, want) || p.lastEventID != "evt_2" {
		t.Errorf("events = %+v, last id %q", events, p.lastEventID)
	}
}

func TestSSEParserIgnoresUnknownFieldsABadRetryAnIDWithNULAndABOM(t *testing.T) {
	events, p := parseSSE("\uFEFFretry: 10\n", "retry: soon\nid: a\x00b\nfoo: bar\ndata: x\n\n")
	if want := []serverSentEvent{{Event: "message", Data: "x"}}; !reflect.DeepEqual(events, want) {
		t.Errorf("events = %+v", events)
	}
	if p.retry != 10*time.Millisecond {
		t.Errorf("retry = %v", p.retry)
	}
}
