// Command iamd is AWS-style identity and access management in one binary: `iamd serve` runs the
// IAM/STS server. main only wires things together; see internal/server.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/iamd-dev/iamd/internal/config"
	"github.com/iamd-dev/iamd/internal/server"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	var status interface{ ExitCode() int } // iamd exec and instance run exit with the child's status
	if errors.As(err, &status) {
		os.Exit(status.ExitCode())
	}
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "iamd:", err)
		os.Exit(1)
	}
}

// serveGCPercent is the server's GOGC unless the GOGC environment variable sets one. The
// server's live heap is a few MB (the store's pages are SQLite's), so at Go's default of 100
// a busy server collects every few milliseconds: GetUser at 32 clients spent 61–81 µs of CPU
// per call at 100 and 53–68 at 400 (docs/benchmarks.md "Garbage collection").
const serveGCPercent = 400

const usage = `usage: iamd <command> [flags]

commands:
  serve          run the IAM/STS server
  config print   print the effective configuration (secrets redacted)
  trail          verify, export, validate, import or prune the audit trail (iamd trail help)
  policy         validate a policy document or summarize its access levels (iamd policy help)
  audit          check the account against least-privilege practices (iamd audit --help)
  exec           run a command with a role's credentials from a loopback endpoint (--role ROLE -- CMD …)
  instance run   run a command with an IMDSv2 endpoint for an instance profile (--instance-profile NAME -- CMD …)
  credential-process  print a role's credentials for credential_process in ~/.aws/config (--role ROLE)
  version        print the version
`

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command")
	}
	switch args[0] {
	case "serve":
		cfg, err := loadConfig("serve", args[1:], getenv, stderr)
		if err != nil {
			return err
		}
		logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
		if getenv("GOGC") == "" {
			debug.SetGCPercent(serveGCPercent)
		}
		return server.Run(ctx, cfg, logger, stdout)
	case "config":
		return runConfig(ctx, args[1:], getenv, stdout, stderr)
	case "trail":
		return runTrail(ctx, args[1:], getenv, stdout, stderr)
	case "policy":
		return runPolicy(ctx, args[1:], getenv, stdout, stderr)
	case "audit":
		return runAudit(ctx, args[1:], getenv, stdout, stderr)
	case "exec":
		return runExec(ctx, args[1:], getenv, stdout, stderr)
	case "instance":
		return runInstance(ctx, args[1:], getenv, stdout, stderr)
	case "credential-process":
		return runCredentialProcess(ctx, args[1:], getenv, stdout, stderr)
	case "version", "--version", "-version":
		fmt.Fprintln(stdout, "iamd", version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown command %q", args[0])
	}
}

func loadConfig(name string, args []string, getenv func(string) string, stderr io.Writer) (config.Config, error) {
	home := getenv("HOME")
	cfg := config.Default(home, getenv("XDG_DATA_HOME"))
	fs := flag.NewFlagSet("iamd "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg.Bind(fs)
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	cfg.ApplyEnv(getenv)
	if err := cfg.Validate(); err != nil {
		return cfg, fmt.Errorf("invalid configuration:\n%w", err)
	}
	return cfg, nil
}
