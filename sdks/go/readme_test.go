package voltasis_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// A code block of a markdown file: its first line's number and its text.
type codeBlock struct {
	line int
	code string
}

func goBlocks(t *testing.T, file string) []codeBlock {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var blocks []codeBlock
	var current *codeBlock
	var lines []string
	scanner := bufio.NewScanner(f)
	for n := 1; scanner.Scan(); n++ {
		text := scanner.Text()
		switch {
		case current == nil && strings.TrimSpace(text) == "```go":
			current, lines = &codeBlock{line: n + 1}, nil
		case current != nil && strings.TrimSpace(text) == "```":
			current.code = strings.Join(lines, "\n") + "\n"
			blocks = append(blocks, *current)
			current = nil
		case current != nil:
			lines = append(lines, text)
		}
	}
	return blocks
}

// The imports every block that is not a program has, used once so that none is unused.
const snippetImports = `import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	voltasis "github.com/voltasis/voltasis-go"
)

var (
	_ = errors.New
	_ = fmt.Sprint
	_ = io.EOF
	_ = log.Fatal
	_ = net.Listen
	_ = http.StatusOK
	_ = strings.Cut
	_ = time.Second
)
`

// The files whose ```go blocks run: this README, and docs/sdks.md (whose other languages' blocks
// the other SDKs' suites run). Both state the convention at their top.
var exampleFiles = []string{"README.md", "../../docs/sdks.md"}

// TestReadme builds the ```go blocks of each example file and runs each against the live server,
// with a new account's key (one account per file).
func TestReadme(t *testing.T) {
	server := liveServer(t)
	for _, file := range exampleFiles {
		file := file
		t.Run(filepath.Base(file), func(t *testing.T) { runExamples(t, server, file) })
	}
}

func runExamples(t *testing.T, server, file string) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	blocks := goBlocks(t, file)
	if len(blocks) < 8 {
		t.Fatalf("%s has %d go blocks", file, len(blocks))
	}
	acct := registerAccount(t, ctx, "examples")
	sdkDir, _ := filepath.Abs(".")
	source, _ := filepath.Abs(file)
	goCommand := filepath.Join(runtime.GOROOT(), "bin", "go")

	type program struct {
		name string
		dir  string
		args []string
	}
	var programs []program
	module := func(dir, main string) {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		goMod := "module readme\n\ngo 1.19\n\nrequire github.com/voltasis/voltasis-go v0.0.0\n\n" +
			"replace github.com/voltasis/voltasis-go => " + sdkDir + "\n"
		for name, text := range map[string]string{"go.mod": goMod, "main.go": main} {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	snippets := &strings.Builder{}
	dispatch := &strings.Builder{}
	root := t.TempDir()
	for _, block := range blocks {
		name := fmt.Sprintf("%s:%d", filepath.Base(file), block.line)
		if strings.HasPrefix(block.code, "package main") {
			dir := filepath.Join(root, fmt.Sprintf("program%d", block.line))
			module(dir, fmt.Sprintf("//line %s:%d\n%s", source, block.line, block.code))
			programs = append(programs, program{name, dir, nil})
			continue
		}
		fmt.Fprintf(dispatch, "\tcase %q:\n\t\tblock%d(ctx, client)\n", fmt.Sprint(block.line), block.line)
		fmt.Fprintf(snippets, "\nfunc block%d(ctx context.Context, client *voltasis.Client) {\n//line %s:%d\n%s}\n",
			block.line, source, block.line, block.code)
		programs = append(programs, program{name, filepath.Join(root, "snippets"), []string{fmt.Sprint(block.line)}})
	}
	module(filepath.Join(root, "snippets"), "package main\n\n"+snippetImports+`
func main() {
	ctx := context.Background()
	client := voltasis.NewClient(os.Getenv("VOLTASIS_API_KEY"))
	switch os.Args[1] {
`+dispatch.String()+"\tdefault:\n\t\tlog.Fatalf(\"no block %s\", os.Args[1])\n\t}\n}\n"+snippets.String())

	env := append(os.Environ(), "VOLTASIS_API_KEY="+acct.key.Secret, "VOLTASIS_BASE_URL="+server,
		"GOFLAGS=-mod=mod", "GOPROXY=off", "CGO_ENABLED=0")
	// One build a program; the snippets share theirs, and its failure is reported once.
	built := map[string]error{}
	for _, p := range programs {
		p := p
		t.Run(p.name, func(t *testing.T) {
			binary := filepath.Join(p.dir, "example")
			buildErr, done := built[p.dir]
			if !done {
				build := exec.CommandContext(ctx, goCommand, "build", "-o", binary, ".")
				build.Dir, build.Env = p.dir, env
				if out, err := build.CombinedOutput(); err != nil {
					buildErr = fmt.Errorf("go build: %v\n%s", err, out)
				}
				built[p.dir] = buildErr
			}
			if buildErr != nil {
				t.Fatal(buildErr)
			}
			runCtx, cancel := context.WithTimeout(ctx, time.Minute)
			defer cancel()
			run := exec.CommandContext(runCtx, binary, p.args...)
			run.Dir, run.Env = p.dir, env
			out, err := run.CombinedOutput()
			if err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			t.Logf("%s", out)
		})
	}
}
