package store

import (
	"errors"
	"strings"
	"testing"
)

func TestHashPasswordVerifies(t *testing.T) {
	const pw = "correct horse battery staple"
	h, err := HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q is not the PHC string of argon2id with the chosen parameters", h)
	}
	if strings.Contains(h, pw) {
		t.Fatal("hash contains the password")
	}
	h2, err := HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	if h == h2 {
		t.Fatal("two hashes of one password are equal: the salt is not random")
	}
	tests := []struct {
		name     string
		password string
		want     error
	}{
		{"same password", pw, nil},
		{"other password", "correct horse battery stapl", ErrPasswordMismatch},
		{"empty password", "", ErrPasswordMismatch},
		{"case differs", strings.ToUpper(pw), ErrPasswordMismatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := VerifyPassword(h, tt.password); !errors.Is(err, tt.want) {
				t.Fatalf("VerifyPassword = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestVerifyPasswordRejectsMalformedHashes(t *testing.T) {
	good, err := HashPassword("a long enough password")
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(good, "$")
	tests := []struct {
		name, hash string
	}{
		{"empty", ""},
		{"bcrypt", "$2a$10$abcdefghijklmnopqrstuv"},
		{"argon2i", strings.Replace(good, "argon2id", "argon2i", 1)},
		{"old version", strings.Replace(good, "v=19", "v=16", 1)},
		{"huge memory", strings.Replace(good, "m=19456", "m=99999999", 1)},
		{"zero threads", strings.Replace(good, "p=1", "p=0", 1)},
		{"bad salt", strings.Join([]string{"", parts[1], parts[2], parts[3], "!!", parts[5]}, "$")},
		{"short key", strings.Join([]string{"", parts[1], parts[2], parts[3], parts[4], "AAAA"}, "$")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := VerifyPassword(tt.hash, "a long enough password")
			if err == nil || errors.Is(err, ErrPasswordMismatch) {
				t.Fatalf("VerifyPassword(%q) = %v, want a malformed-hash error", tt.hash, err)
			}
		})
	}
}

func TestCheckPasswordRules(t *testing.T) {
	tests := []struct {
		name, password, want string
	}{
		{"too short", "short", "at least 12 characters (it has 5)"},
		{"counted in characters", "密码密码密码密码密码密", "at least 12 characters (it has 11)"},
		{"too long", strings.Repeat("x", 257), "at most 256"},
		{"long enough", "twelve chars", ""},
		{"chinese long enough", "这是一个足够长的中文密码口令", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckPasswordRules(tt.password)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("CheckPasswordRules = %v, want nil", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "password: ") {
				t.Fatalf("CheckPasswordRules = %v, want an error naming the password and %q", err, tt.want)
			}
		})
	}
}
