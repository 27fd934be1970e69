package voltasis

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// String returns a pointer to v, for an optional string field of a params struct.
func String(v string) *string { return &v }

// Int64 returns a pointer to v, for an optional integer field of a params struct.
func Int64(v int64) *int64 { return &v }

// Float64 returns a pointer to v, for an optional number field of a params struct.
func Float64(v float64) *float64 { return &v }

// Bool returns a pointer to v, for an optional boolean field of a params struct.
func Bool(v bool) *bool { return &v }

// Time returns a pointer to v, for an optional time field of a params struct.
func Time(v time.Time) *time.Time { return &v }

// encodeBody writes a params struct as the JSON body. Unlike encoding/json's omitempty, an
// optional field is left out only when it is nil, so an empty list is sent (`tag_ids: []` clears
// the tags), and the fields named in NullFields are sent as null (to clear them).
func encodeBody(params any) ([]byte, error) {
	value := reflect.ValueOf(params)
	for value.Kind() == reflect.Pointer {
		if value.IsNil() {
			return []byte("{}"), nil
		}
		value = value.Elem()
	}
	if value.Kind() != reflect.Struct {
		return json.Marshal(params)
	}
	nulls := map[string]bool{}
	if field := value.FieldByName("NullFields"); field.IsValid() {
		for _, name := range field.Interface().([]string) {
			nulls[name] = true
		}
	}
	var out bytes.Buffer
	out.WriteByte('{')
	kind := value.Type()
	for i := 0; i < kind.NumField(); i++ {
		field, fieldValue := kind.Field(i), value.Field(i)
		name, omitEmpty := tagName(field.Tag.Get("json"))
		if name == "" || !field.IsExported() {
			continue
		}
		var encoded []byte
		if nulls[name] || nulls[field.Name] {
			encoded = []byte("null")
			delete(nulls, name)
			delete(nulls, field.Name)
		} else if omitEmpty && isNil(fieldValue) {
			continue
		} else {
			var err error
			if encoded, err = json.Marshal(fieldValue.Interface()); err != nil {
				return nil, fmt.Errorf("voltasis: %s: %w", name, err)
			}
		}
		if out.Len() > 1 {
			out.WriteByte(',')
		}
		quoted, _ := json.Marshal(name)
		out.Write(quoted)
		out.WriteByte(':')
		out.Write(encoded)
	}
	for name := range nulls {
		return nil, fmt.Errorf("voltasis: NullFields names %q, which %s does not have", name, kind.Name())
	}
	out.WriteByte('}')
	return out.Bytes(), nil
}

// encodeQuery writes a params struct's fields tagged `query:"name"` that are set.
func encodeQuery(params any) (url.Values, error) {
	query := url.Values{}
	value := reflect.ValueOf(params)
	for value.Kind() == reflect.Pointer {
		if value.IsNil() {
			return query, nil
		}
		value = value.Elem()
	}
	if value.Kind() != reflect.Struct {
		return query, nil
	}
	kind := value.Type()
	for i := 0; i < kind.NumField(); i++ {
		name, _ := tagName(kind.Field(i).Tag.Get("query"))
		field := value.Field(i)
		if name == "" || isNil(field) {
			continue
		}
		for field.Kind() == reflect.Pointer {
			field = field.Elem()
		}
		text, err := queryText(field)
		if err != nil {
			return nil, fmt.Errorf("voltasis: query %s: %w", name, err)
		}
		query.Set(name, text)
	}
	return query, nil
}

func queryText(value reflect.Value) (string, error) {
	if t, ok := value.Interface().(time.Time); ok {
		return t.UTC().Format(time.RFC3339), nil
	}
	switch value.Kind() {
	case reflect.String:
		return value.String(), nil
	case reflect.Bool:
		return strconv.FormatBool(value.Bool()), nil
	case reflect.Int, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(value.Int(), 10), nil
	case reflect.Float64:
		return strconv.FormatFloat(value.Float(), 'f', -1, 64), nil
	}
	return "", fmt.Errorf("cannot send a %s", value.Type())
}

// tagName splits a struct tag's value: `name,omitempty` → "name", true; `-` → "".
func tagName(tag string) (string, bool) {
	name, options, _ := strings.Cut(tag, ",")
	if name == "-" {
		return "", false
	}
	return name, strings.Contains(options, "omitempty")
}

func isNil(value reflect.Value) bool {
	switch value.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface:
		return value.IsNil()
	}
	return false
}
