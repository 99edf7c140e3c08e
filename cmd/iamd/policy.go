package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/iamd-dev/iamd/internal/analyzersvc"
	"github.com/iamd-dev/iamd/internal/api/middleware"
	"github.com/iamd-dev/iamd/internal/catalog/lintcat"
	"github.com/iamd-dev/iamd/internal/policy"
)

const policyUsage = `usage:
  iamd policy validate [--type KIND] FILE
      check a policy document as IAM Access Analyzer's ValidatePolicy does; print one JSON
      finding per line (findingType, issueCode, findingDetails, locations); exit status 1
      when there is an ERROR finding. FILE - reads standard input.
  iamd policy levels [--type KIND] [--actions] FILE
      for each statement, count the actions it allows or denies (expanded through the AWS
      action catalog) by access level: List, Read, Write, Permissions management, Tagging.
      --actions lists them too.
KIND is identity (the default), resource, trust, boundary, session, scp or rcp.
` + policyGenerateUsage + policyExplainUsage

// errFindings is returned when validate reports an ERROR finding, so that iamd exits non-zero.
var errFindings = errors.New("policy has errors")

// runPolicy runs `iamd policy ...`: offline commands over a policy document.
func runPolicy(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "generate" {
		return policyGenerate(ctx, args[1:], getenv, stdout, stderr)
	}
	return policyCommand(args, os.Stdin, stdout, stderr)
}

func policyCommand(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, policyUsage)
		return errors.New("policy: no subcommand")
	}
	fs := flag.NewFlagSet("iamd policy "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	kindName := fs.String("type", "identity", "policy type: identity, resource, trust, boundary, session, scp or rcp")
	switch args[0] {
	case "validate":
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		kind, text, err := policyInput(fs, *kindName, stdin)
		if err != nil {
			return err
		}
		return policyValidate(text, kind, stdout)
	case "levels":
		list := fs.Bool("actions", false, "list each action with its access level")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		kind, text, err := policyInput(fs, *kindName, stdin)
		if err != nil {
			return err
		}
		return policyLevels(text, kind, *list, stdout)
	case "explain":
		return policyExplain(args[1:], stdin, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, policyUsage)
		return nil
	}
	fmt.Fprint(stderr, policyUsage)
	return fmt.Errorf("policy: unknown subcommand %q", args[0])
}

var policyKinds = map[string]policy.Kind{
	"identity": policy.Identity, "resource": policy.Resource, "trust": policy.Trust,
	"boundary": policy.Boundary, "session": policy.Session, "scp": policy.SCP, "rcp": policy.RCP,
}

// policyInput resolves the --type flag and reads the one FILE argument ("-" for stdin).
func policyInput(fs *flag.FlagSet, kindName string, stdin io.Reader) (policy.Kind, string, error) {
	kind, ok := policyKinds[strings.ToLower(kindName)]
	if !ok {
		return 0, "", fmt.Errorf("policy: unknown --type %q (want identity, resource, trust, boundary, session, scp or rcp)", kindName)
	}
	if fs.NArg() != 1 {
		return 0, "", fmt.Errorf("policy: want one FILE argument (- for standard input), got %d", fs.NArg())
	}
	var (
		b   []byte
		err error
	)
	if name := fs.Arg(0); name == "-" {
		b, err = io.ReadAll(stdin)
	} else {
		b, err = os.ReadFile(name)
	}
	if err != nil {
		return 0, "", fmt.Errorf("policy: read: %w", err)
	}
	return kind, string(b), nil
}

// lintCatalog loads the embedded AWS action catalog in the form the policy package asks for.
func lintCatalog() (policy.Catalog, error) {
	c, err := lintcat.Load()
	if err != nil {
		return policy.Catalog{}, fmt.Errorf("policy: %w", err)
	}
	return c, nil
}

func policyValidate(text string, kind policy.Kind, stdout io.Writer) error {
	cat, err := lintCatalog()
	if err != nil {
		return err
	}
	findings, err := policy.Lint(text, kind, cat)
	if err != nil {
		return fmt.Errorf("policy: validate: %w", err)
	}
	errs := 0
	for _, f := range findings {
		if f.Type == policy.FindingError {
			errs++
		}
		f := analyzersvc.Finding(text, f)
		b, err := middleware.EncodeJSON(&f)
		if err != nil {
			return fmt.Errorf("policy: validate: %w", err)
		}
		if _, err := fmt.Fprintf(stdout, "%s\n", b); err != nil {
			return fmt.Errorf("policy: validate: write: %w", err)
		}
	}
	if errs > 0 {
		return fmt.Errorf("%w: %d ERROR finding(s)", errFindings, errs)
	}
	return nil
}

// accessLevels are AWS's access levels in the order the IAM console's policy summary lists them.
var accessLevels = []string{"List", "Read", "Write", "Permissions management", "Tagging"}

func policyLevels(text string, kind policy.Kind, list bool, stdout io.Writer) error {
	doc, err := policy.Parse(text, kind)
	if err != nil {
		return fmt.Errorf("policy: levels: %w", err)
	}
	cat, err := lintCatalog()
	if err != nil {
		return err
	}
	for _, s := range policy.Summarize(doc, cat) {
		sid := ""
		if s.Sid != "" {
			sid = " " + s.Sid
		}
		fmt.Fprintf(stdout, "Statement[%d]%s %s: %d actions", s.Statement, sid, s.Effect, len(s.Actions))
		for _, level := range accessLevels {
			fmt.Fprintf(stdout, ", %s %d", level, s.Levels[level])
		}
		if n := s.Levels[""]; n > 0 {
			fmt.Fprintf(stdout, ", unknown %d", n)
		}
		fmt.Fprintln(stdout)
		if list {
			for _, a := range s.Actions {
				level, _ := cat.AccessLevel(a)
				fmt.Fprintf(stdout, "  %s\t%s\n", a, level)
			}
		}
	}
	return nil
}
