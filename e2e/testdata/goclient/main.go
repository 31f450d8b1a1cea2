// Command goclient fetches every URL given as argument (or, without
// arguments, in E2E_URLS) with Go's default roots (SSL_CERT_FILE,
// SSL_CERT_DIR), prints one RESULT line and idles until stopped.
//
// With -bundle FILE -unrelated CN it first prints whether FILE holds a
// certificate with that common name, so container tests can see whether an
// image's own bundle was kept (system scope) or replaced (override).
package main

import (
	"crypto/x509"
	"encoding/pem"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

const want = "hello from trustform e2e"

func main() {
	bundle := flag.String("bundle", "", "bundle file to inspect")
	unrelated := flag.String("unrelated", "", "common name to look for in -bundle")
	flag.Parse()

	// As PID 1 in a container, SIGTERM has no default action; exit on it.
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)

	if *bundle != "" {
		fmt.Println("BUNDLE unrelated " + inspect(*bundle, *unrelated))
	}
	urls := flag.Args()
	if len(urls) == 0 {
		urls = strings.Fields(os.Getenv("E2E_URLS"))
	}
	if got, err := fetchAll(urls); err != nil {
		fmt.Println("RESULT fail", err)
	} else {
		fmt.Println("RESULT ok", got)
	}
	select {
	case <-stop:
	case <-time.After(time.Hour):
	}
}

func fetchAll(urls []string) (string, error) {
	client := &http.Client{Timeout: 20 * time.Second}
	var got []string
	for _, u := range urls {
		res, err := client.Get(u)
		if err != nil {
			return "", err
		}
		body, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil {
			return "", err
		}
		if res.StatusCode != 200 || strings.TrimSpace(string(body)) != want {
			return "", fmt.Errorf("unexpected %d %q", res.StatusCode, body)
		}
		got = append(got, fmt.Sprint(res.StatusCode))
	}
	return strings.Join(got, " "), nil
}

// inspect reports "present", "absent" or "missing" (no such file).
func inspect(file, cn string) string {
	data, err := os.ReadFile(file)
	if err != nil {
		return "missing"
	}
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			return "absent"
		}
		if c, err := x509.ParseCertificate(block.Bytes); err == nil && c.Subject.CommonName == cn {
			return "present"
		}
	}
}
