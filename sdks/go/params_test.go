package voltasis

import (
	"testing"
	"time"
)

func TestABodyLeavesOutOnlyWhatIsNotSet(t *testing.T) {
	for _, tc := range []struct {
		name   string
		params any
		want   string
	}{
		{"required fields always", &TaskCreateParams{Title: "Homepage", ProjectID: "prj_1"}, `{"title":"Homepage","project_id":"prj_1"}`},
		{"optional fields when set", &ProjectUpdateParams{Billable: Bool(false), HourlyRate: Int64(0)}, `{"billable":false,"hourly_rate":0}`},
		{"an empty list is sent", &TimeEntryUpdateParams{TagIDs: []string{}}, `{"tag_ids":[]}`},
		{"nulls by Go or JSON name", &ProjectUpdateParams{NullFields: []string{"ClientID", "hourly_rate"}}, `{"client_id":null,"hourly_rate":null}`},
		{"a required null", &UserSetRateParams{}, `{"hourly_rate":null}`},
		{"nil params", (*ProjectUpdateParams)(nil), `{}`},
		{"times as RFC 3339", &TimeEntryCreateParams{Start: time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC), Duration: Int64(60)}, `{"start":"2024-03-01T09:00:00Z","duration":60}`},
		{"a nested object", &JobCreateParams{Type: "export.time_entries", Params: JobCreateParamsObject{Format: String("csv")}}, `{"type":"export.time_entries","params":{"format":"csv"}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body, err := encodeBody(tc.params)
			if err != nil || string(body) != tc.want {
				t.Errorf("body %s, %v; want %s", body, err, tc.want)
			}
		})
	}
}

func TestNullFieldsMustNameAField(t *testing.T) {
	if _, err := encodeBody(&ProjectUpdateParams{NullFields: []string{"colour"}}); err == nil {
		t.Error("an unknown null field was accepted")
	}
}

func TestAQueryHasWhatIsSet(t *testing.T) {
	query, err := encodeQuery(&TimeEntryListParams{
		ProjectID: String("prj_1"),
		Billable:  Bool(true),
		PerPage:   Int64(50),
		From:      Time(time.Date(2024, 3, 1, 10, 0, 0, 0, time.FixedZone("CET", 3600))),
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := query.Encode(), "billable=true&from=2024-03-01T09%3A00%3A00Z&per_page=50&project_id=prj_1"; got != want {
		t.Errorf("query %s, want %s", got, want)
	}
	if query, _ := encodeQuery((*TimeEntryListParams)(nil)); len(query) != 0 {
		t.Errorf("nil params gave %v", query)
	}
}
