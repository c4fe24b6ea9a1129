package store

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// The argon2id parameters new password hashes use: 19 MiB, two passes, one
// lane (OWASP's minimum recommendation for argon2id), a 16-byte salt and a
// 32-byte key. Hashes carry their parameters, so raising these later leaves
// existing hashes verifiable.
const (
	argonMemoryKiB = 19 * 1024
	argonTime      = 2
	argonThreads   = 1
	argonSaltLen   = 16
	argonKeyLen    = 32
)

// Password length limits, in characters; the upper one bounds hashing work.
const (
	MinPasswordLength = 12
	MaxPasswordLength = 256
)

// ErrPasswordMismatch means a password does not match its hash.
var ErrPasswordMismatch = errors.New("password does not match")

// CheckPasswordRules says what is wrong with a new password, naming the rule.
func CheckPasswordRules(password string) error {
	n := utf8.RuneCountInString(password)
	switch {
	case !utf8.ValidString(password):
		return errors.New("password: is not valid UTF-8")
	case n < MinPasswordLength:
		return fmt.Errorf("password: must be at least %d characters (it has %d)", MinPasswordLength, n)
	case n > MaxPasswordLength:
		return fmt.Errorf("password: must be at most %d characters", MaxPasswordLength)
	}
	return nil
}

// HashPassword returns the argon2id hash of password as a PHC string:
// $argon2id$v=19$m=19456,t=2,p=1$<salt>$<key>, salt and key in unpadded
// standard base64.
func HashPassword(password string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("generate salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemoryKiB, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemoryKiB, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// VerifyPassword compares password with a PHC string HashPassword made, in
// constant time; it returns ErrPasswordMismatch when they differ and another
// error when the hash cannot be read.
func VerifyPassword(encoded, password string) error {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return errors.New("password hash: not an argon2id PHC string")
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return fmt.Errorf("password hash: unsupported argon2 version %q", parts[2])
	}
	var memory, passes uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &memory, &passes, &threads); err != nil {
		return fmt.Errorf("password hash: malformed parameters %q: %w", parts[3], err)
	}
	// Bounds keep a tampered hash from costing unbounded memory or time.
	if memory < 8 || memory > 1<<20 || passes < 1 || passes > 16 || threads < 1 {
		return fmt.Errorf("password hash: parameters %q out of range", parts[3])
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil || len(salt) < 8 {
		return errors.New("password hash: malformed salt")
	}
	want, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil || len(want) < 16 || len(want) > 64 {
		return errors.New("password hash: malformed key")
	}
	if utf8.RuneCountInString(password) > MaxPasswordLength {
		return ErrPasswordMismatch
	}
	got := argon2.IDKey([]byte(password), salt, passes, memory, threads, uint32(len(want)))
	if subtle.ConstantTimeCompare(got, want) != 1 {
		return ErrPasswordMismatch
	}
	return nil
}
