package credsrv

import (
	"crypto/subtle"
	"encoding/json"
	"net/http"
)

// Container is an http.Handler that answers like the ECS agent's credentials endpoint
// (AWS_CONTAINER_CREDENTIALS_FULL_URI with AWS_CONTAINER_AUTHORIZATION_TOKEN).
type Container struct {
	source Source
	token  string
}

// NewContainer returns the endpoint. Every request must carry token in its Authorization
// header; an empty token refuses every request.
func NewContainer(source Source, token string) *Container {
	return &Container{source: source, token: token}
}

type containerCreds struct {
	AccessKeyID     string `json:"AccessKeyId"`
	SecretAccessKey string
	Token           string
	Expiration      string
	RoleArn         string
}

// The error body the SDKs' endpoint credential providers parse.
type containerError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// ServeHTTP implements http.Handler.
func (c *Container) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		containerJSON(w, http.StatusMethodNotAllowed, containerError{"MethodNotAllowed", "Only GET is allowed."})
		return
	}
	got := r.Header.Get("Authorization")
	if c.token == "" || got == "" {
		containerJSON(w, http.StatusUnauthorized, containerError{"AccessDenied", "The Authorization header is missing."})
		return
	}
	if subtle.ConstantTimeCompare([]byte(got), []byte(c.token)) != 1 {
		containerJSON(w, http.StatusForbidden, containerError{"AccessDenied", "The Authorization header is not valid."})
		return
	}
	cr, err := c.source.Credentials(r.Context())
	if err != nil {
		containerJSON(w, http.StatusInternalServerError, containerError{"CredentialsUnavailable", clientMessage(err)})
		return
	}
	containerJSON(w, http.StatusOK, containerCreds{
		AccessKeyID: cr.AccessKeyID, SecretAccessKey: cr.SecretAccessKey, Token: cr.SessionToken,
		Expiration: stamp(cr.Expiration), RoleArn: cr.RoleArn,
	})
}

func containerJSON(w http.ResponseWriter, code int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	w.Write(b)
}
