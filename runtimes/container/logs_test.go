package container

import (
	"reflect"
	"testing"
	"time"
)

func TestLogOptionsArgs(t *testing.T) {
	for _, tc := range []struct {
		o    LogOptions
		want []string
	}{
		{LogOptions{Tail: -1}, nil},
		{LogOptions{Follow: true, Tail: -1}, []string{"-f"}},
		{LogOptions{Tail: 0}, []string{"--tail", "0"}},
		{LogOptions{Follow: true, Tail: 20, Since: 90 * time.Second}, []string{"-f", "--tail", "20", "--since", "1m30s"}},
	} {
		if got := tc.o.args(); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%+v: args %q, want %q", tc.o, got, tc.want)
		}
	}
}
