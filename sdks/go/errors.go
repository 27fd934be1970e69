package voltasis

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Error is what every failed call returns: the API's answer (`{error: {code, message, details}}`)
// or, with StatusCode 0, a connection error or timeout. Tell kinds apart with errors.Is and the
// Err… values (errors.Is(err, voltasis.ErrNotFound)), read the fields with errors.As:
//
//	var apiErr *voltasis.Error
//	if errors.As(err, &apiErr) {
//		log.Printf("%d %s %s (request %s)", apiErr.StatusCode, apiErr.Code, apiErr.Message, apiErr.RequestID)
//	}
type Error struct {
	// StatusCode is the HTTP status; 0 when no answer came.
	StatusCode int
	// Code is the API's machine-readable code: VALIDATION_ERROR, NOT_FOUND, RATE_LIMIT_EXCEEDED, …
	Code string
	// Message is the API's explanation, for people.
	Message string
	// Details holds `field` (the offending field of a 400), `reason` (a machine code), and
	// `retry_after` (seconds, on a 429).
	Details map[string]any
	// RequestID is the answer's `X-Request-ID` (`req_…`): quote it when asking for help.
	RequestID string
	// RetryAfter is the answer's Retry-After (429 and 503), 0 when it sent none.
	RetryAfter time.Duration
	// Header is the answer's headers; nil when no answer came.
	Header http.Header
	// Err is the cause of a connection error or timeout.
	Err error

	kind            *errorKind
	retryAfterGiven bool
}

func (e *Error) Error() string {
	if e.StatusCode == 0 {
		return "voltasis: " + e.Message
	}
	text := fmt.Sprintf("voltasis: %d %s: %s", e.StatusCode, e.Code, e.Message)
	if e.RequestID != "" {
		text += " (request " + e.RequestID + ")"
	}
	return text
}

// Unwrap returns the cause of a connection error or timeout.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether the error is of the kind target names (ErrNotFound, ErrRateLimit, …).
func (e *Error) Is(target error) bool {
	kind, ok := target.(*errorKind)
	if !ok {
		return false
	}
	for k := e.kind; k != nil; k = k.parent {
		if k == kind {
			return true
		}
	}
	return false
}

// Field is `details.field`: the request field a 400 is about, or "".
func (e *Error) Field() string {
	field, _ := e.Details["field"].(string)
	return field
}

// Reason is `details.reason`: a machine code finer than Code, or "".
func (e *Error) Reason() string {
	reason, _ := e.Details["reason"].(string)
	return reason
}

type errorKind struct {
	name   string
	parent *errorKind
}

func (k *errorKind) Error() string { return "voltasis: " + k.name }

// The kinds of Error, for errors.Is. Every answer that is not a 2xx is an ErrAPI and the kind of
// its status; an ErrTimeout is also an ErrConnection.
var (
	// ErrAPI: any answer that is not a 2xx (every kind below but the last two).
	ErrAPI = &errorKind{name: "API error"}
	// ErrBadRequest: 400, a malformed or invalid request (Code VALIDATION_ERROR or
	// INVALID_REQUEST); Error.Field names the field.
	ErrBadRequest = &errorKind{"bad request", ErrAPI}
	// ErrAuthentication: 401, a missing, malformed, expired or revoked credential.
	ErrAuthentication = &errorKind{"authentication failed", ErrAPI}
	// ErrPermissionDenied: 403, a scope or role the credential lacks, or another organization's
	// resource.
	ErrPermissionDenied = &errorKind{"permission denied", ErrAPI}
	// ErrNotFound: 404.
	ErrNotFound = &errorKind{"not found", ErrAPI}
	// ErrConflict: 409, a state conflict (a second running timer, a duplicate name, a locked
	// period) or IDEMPOTENCY_KEY_IN_USE.
	ErrConflict = &errorKind{"conflict", ErrAPI}
	// ErrPreconditionFailed: 412, If-Match names a version that is no longer current.
	ErrPreconditionFailed = &errorKind{"precondition failed", ErrAPI}
	// ErrPayloadTooLarge: 413.
	ErrPayloadTooLarge = &errorKind{"payload too large", ErrAPI}
	// ErrIdempotencyKeyReused: 422, an Idempotency-Key sent again with another request.
	ErrIdempotencyKeyReused = &errorKind{"idempotency key reused", ErrAPI}
	// ErrRateLimit: 429, a rate limit was hit; Error.RetryAfter says for how long.
	ErrRateLimit = &errorKind{"rate limit exceeded", ErrAPI}
	// ErrServer: 500 and above.
	ErrServer = &errorKind{"server error", ErrAPI}
	// ErrConnection: no answer came (refused, reset, DNS); also every ErrTimeout.
	ErrConnection = &errorKind{name: "connection error"}
	// ErrTimeout: no answer within the timeout (WithTimeout).
	ErrTimeout = &errorKind{"timeout", ErrConnection}
)

var kindByStatus = map[int]*errorKind{
	http.StatusBadRequest:            ErrBadRequest,
	http.StatusUnauthorized:          ErrAuthentication,
	http.StatusForbidden:             ErrPermissionDenied,
	http.StatusNotFound:              ErrNotFound,
	http.StatusConflict:              ErrConflict,
	http.StatusPreconditionFailed:    ErrPreconditionFailed,
	http.StatusRequestEntityTooLarge: ErrPayloadTooLarge,
	http.StatusUnprocessableEntity:   ErrIdempotencyKeyReused,
	http.StatusTooManyRequests:       ErrRateLimit,
}

func kindOf(status int) *errorKind {
	if kind, ok := kindByStatus[status]; ok {
		return kind
	}
	if status >= 500 {
		return ErrServer
	}
	return ErrAPI
}

// errorFromResponse reads the API's error envelope; an answer without one (a proxy's page, say)
// still gives an Error with its status and the start of its body.
func errorFromResponse(res *response) *Error {
	var envelope struct {
		Error *struct {
			Code    string         `json:"code"`
			Message string         `json:"message"`
			Details map[string]any `json:"details"`
		} `json:"error"`
		Metadata struct {
			RequestID string `json:"request_id"`
		} `json:"metadata"`
	}
	e := &Error{
		StatusCode: res.status,
		Header:     res.header,
		RequestID:  res.header.Get("X-Request-ID"),
		kind:       kindOf(res.status),
	}
	if json.Unmarshal(res.body, &envelope) == nil && envelope.Error != nil {
		e.Code = envelope.Error.Code
		e.Message = envelope.Error.Message
		e.Details = envelope.Error.Details
		if e.RequestID == "" {
			e.RequestID = envelope.Metadata.RequestID
		}
	} else {
		e.Message = strings.TrimSpace(http.StatusText(res.status) + ": " + excerpt(res.body))
	}
	if e.Details == nil {
		e.Details = map[string]any{}
	}
	if seconds, ok := retryAfter(res.header.Get("Retry-After"), e.Details["retry_after"]); ok {
		e.RetryAfter, e.retryAfterGiven = seconds, true
	}
	return e
}

// retryAfter reads Retry-After (seconds or an HTTP date), else `details.retry_after`.
func retryAfter(header string, detail any) (time.Duration, bool) {
	if header != "" {
		if seconds, err := strconv.ParseFloat(header, 64); err == nil && seconds >= 0 {
			return time.Duration(seconds * float64(time.Second)), true
		}
		if at, err := http.ParseTime(header); err == nil {
			wait := time.Until(at)
			if wait < 0 {
				wait = 0
			}
			return wait, true
		}
	}
	if seconds, ok := detail.(float64); ok && seconds >= 0 {
		return time.Duration(seconds * float64(time.Second)), true
	}
	return 0, false
}

func excerpt(body []byte) string {
	const most = 200
	text := []rune(strings.TrimSpace(string(body)))
	if len(text) > most {
		return string(text[:most]) + "…"
	}
	return string(text)
}
