package pem

import (
	"bytes"
	"crypto/sha1"
	"encoding/asn1"
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
	"unicode/utf8"
)

// OpenSSL looks certificates up in a directory (SSL_CERT_DIR, -CApath) by
// the file name <hash>.<n>, where hash is X509_NAME_hash of the subject. It
// hashes a canonical form of the name, not its DER, so that names differing
// only in case, spacing or string type land on the same file. The functions
// below rebuild that canonical form the way crypto/x509/x_name.c does
// (x509_name_canon and asn1_string_canon); any difference would make the
// certs/ directory useless to OpenSSL, so the tests compare against the
// openssl binary.

// Universal ASN.1 tags that matter for names.
const (
	tagUTF8String      = 12
	tagSequence        = 16
	tagSet             = 17
	tagPrintableString = 19
	tagT61String       = 20
	tagIA5String       = 22
	tagVisibleString   = 26
	tagUniversalString = 28
	tagBMPString       = 30
	tagOID             = 6
)

// SubjectHash returns OpenSSL's X509_NAME_hash of the subject (as printed by
// `openssl x509 -noout -subject_hash`).
func (c *Certificate) SubjectHash() (uint32, error) {
	if c == nil || c.X509 == nil {
		return 0, errors.New("subject hash: no certificate")
	}
	return nameHash(c.X509.RawSubject)
}

// nameHash is X509_NAME_hash over a DER Name: the first four bytes of the
// SHA-1 of the canonical encoding, read little-endian.
func nameHash(rawName []byte) (uint32, error) {
	canon, err := canonicalName(rawName)
	if err != nil {
		return 0, fmt.Errorf("subject hash: %w", err)
	}
	sum := sha1.Sum(canon)
	return binary.LittleEndian.Uint32(sum[:4]), nil
}

// canonicalName returns the concatenated DER of each canonicalised RDN SET,
// without the outer SEQUENCE header. An empty name gives an empty result.
func canonicalName(rawName []byte) ([]byte, error) {
	var seq asn1.RawValue
	rest, err := asn1.Unmarshal(rawName, &seq)
	if err != nil {
		return nil, fmt.Errorf("name is not valid DER: %w", err)
	}
	if len(rest) != 0 || seq.Class != asn1.ClassUniversal || seq.Tag != tagSequence || !seq.IsCompound {
		return nil, errors.New("name is not a DER SEQUENCE")
	}
	var out []byte
	rdns := seq.Bytes
	for len(rdns) > 0 {
		var set asn1.RawValue
		if rdns, err = asn1.Unmarshal(rdns, &set); err != nil {
			return nil, fmt.Errorf("relative distinguished name: %w", err)
		}
		if set.Class != asn1.ClassUniversal || set.Tag != tagSet || !set.IsCompound {
			return nil, errors.New("relative distinguished name is not a SET")
		}
		var entries [][]byte
		atvs := set.Bytes
		for len(atvs) > 0 {
			var atv asn1.RawValue
			if atvs, err = asn1.Unmarshal(atvs, &atv); err != nil {
				return nil, fmt.Errorf("attribute: %w", err)
			}
			if atv.Class != asn1.ClassUniversal || atv.Tag != tagSequence || !atv.IsCompound {
				return nil, errors.New("attribute is not a SEQUENCE")
			}
			var oid, val asn1.RawValue
			body, err := asn1.Unmarshal(atv.Bytes, &oid)
			if err != nil {
				return nil, fmt.Errorf("attribute type: %w", err)
			}
			if oid.Class != asn1.ClassUniversal || oid.Tag != tagOID {
				return nil, errors.New("attribute type is not an OBJECT IDENTIFIER")
			}
			if body, err = asn1.Unmarshal(body, &val); err != nil {
				return nil, fmt.Errorf("attribute value: %w", err)
			}
			if len(body) != 0 {
				return nil, errors.New("attribute has trailing data")
			}
			cval, err := canonicalValue(val)
			if err != nil {
				return nil, err
			}
			entry := appendTLV(nil, 0x20|tagSequence, append(append([]byte{}, oid.FullBytes...), cval...))
			entries = append(entries, entry)
		}
		if len(entries) == 0 {
			// OpenSSL groups entries by RDN index, so an empty SET leaves
			// no trace in the canonical form.
			continue
		}
		// A SET OF is DER-encoded in ascending order of its elements'
		// encodings; OpenSSL re-sorts after canonicalising, so a
		// multi-valued RDN hashes the same whatever order it was written in.
		sort.Slice(entries, func(i, j int) bool { return bytes.Compare(entries[i], entries[j]) < 0 })
		out = appendTLV(out, 0x20|tagSet, bytes.Join(entries, nil))
	}
	return out, nil
}

// canonicalValue converts a string attribute value to a lower-cased,
// space-collapsed UTF8String; any other value is kept byte for byte.
func canonicalValue(v asn1.RawValue) ([]byte, error) {
	if v.Class != asn1.ClassUniversal || v.IsCompound {
		return v.FullBytes, nil
	}
	var text []byte
	switch v.Tag {
	case tagUTF8String:
		if !utf8.Valid(v.Bytes) {
			return nil, errors.New("attribute value is not valid UTF-8")
		}
		text = v.Bytes
	case tagPrintableString, tagT61String, tagIA5String, tagVisibleString:
		// One byte per character, read as Latin-1 like OpenSSL does.
		text = make([]byte, 0, len(v.Bytes))
		for _, b := range v.Bytes {
			text = utf8.AppendRune(text, rune(b))
		}
	case tagBMPString:
		if len(v.Bytes)%2 != 0 {
			return nil, errors.New("BMPString has an odd length")
		}
		text = make([]byte, 0, len(v.Bytes))
		for i := 0; i < len(v.Bytes); i += 2 {
			r := rune(binary.BigEndian.Uint16(v.Bytes[i:]))
			if !validScalar(r) {
				return nil, errors.New("BMPString holds a surrogate code point")
			}
			text = utf8.AppendRune(text, r)
		}
	case tagUniversalString:
		if len(v.Bytes)%4 != 0 {
			return nil, errors.New("UniversalString length is not a multiple of 4")
		}
		text = make([]byte, 0, len(v.Bytes))
		for i := 0; i < len(v.Bytes); i += 4 {
			u := binary.BigEndian.Uint32(v.Bytes[i:])
			if u > utf8.MaxRune || !validScalar(rune(u)) {
				return nil, errors.New("UniversalString holds an invalid code point")
			}
			text = utf8.AppendRune(text, rune(u))
		}
	default:
		return v.FullBytes, nil
	}
	return appendTLV(nil, tagUTF8String, canonicalText(text)), nil
}

func validScalar(r rune) bool { return r < 0xD800 || (r > 0xDFFF && r <= utf8.MaxRune) }

// isSpace matches OpenSSL's ossl_isspace: ASCII space, \t, \n, \v, \f, \r.
// Bytes of multi-byte UTF-8 sequences are never spaces, so U+00A0 and other
// Unicode spaces are kept as they are.
func isSpace(c byte) bool { return c == ' ' || (c >= '\t' && c <= '\r') }

// canonicalText trims ASCII whitespace, collapses internal runs of it to one
// space and lower-cases ASCII letters; non-ASCII bytes are copied unchanged.
func canonicalText(s []byte) []byte {
	for len(s) > 0 && isSpace(s[0]) {
		s = s[1:]
	}
	for len(s) > 0 && isSpace(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c >= 0x80:
			out = append(out, c)
			i++
		case isSpace(c):
			out = append(out, ' ')
			for i < len(s) && isSpace(s[i]) {
				i++
			}
		default:
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			out = append(out, c)
			i++
		}
	}
	return out
}

// appendTLV appends a DER tag-length-value with a one-byte tag.
func appendTLV(dst []byte, tag byte, content []byte) []byte {
	dst = append(dst, tag)
	n := len(content)
	switch {
	case n < 0x80:
		dst = append(dst, byte(n))
	default:
		var lb [8]byte
		k := 0
		for m := n; m > 0; m >>= 8 {
			k++
		}
		for i := 0; i < k; i++ {
			lb[i] = byte(n >> (8 * (k - 1 - i)))
		}
		dst = append(dst, 0x80|byte(k))
		dst = append(dst, lb[:k]...)
	}
	return append(dst, content...)
}
