//go:build windows

package sysroots

import (
	"fmt"
	"unsafe"

	"golang.org/x/sys/windows"
)

// Dirs returns nil: Windows keeps roots in certificate stores.
func Dirs() []string { return nil }

func platformInputs(Options) ([]input, error) {
	name, err := windows.UTF16PtrFromString("ROOT")
	if err != nil {
		return nil, err
	}
	store, err := windows.CertOpenSystemStore(0, name)
	if err != nil {
		return nil, fmt.Errorf("opening the ROOT certificate store: %w", err)
	}
	defer windows.CertCloseStore(store, 0)
	var inputs []input
	var ctx *windows.CertContext
	for {
		// Passing the previous context frees it; the call that returns
		// nil (CRYPT_E_NOT_FOUND) frees the last one and ends the loop.
		ctx, _ = windows.CertEnumCertificatesInStore(store, ctx)
		if ctx == nil {
			break
		}
		if ctx.Length == 0 || ctx.EncodedCert == nil {
			continue
		}
		der := unsafe.Slice(ctx.EncodedCert, ctx.Length)
		inputs = append(inputs, input{append([]byte(nil), der...), "Windows ROOT store"})
	}
	return inputs, nil
}
