package ui

import (
	"bufio"
	"bytes"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/podpis/podpis/certstore"

	"github.com/podpis/podpis/internal/softhsm"
	"github.com/podpis/podpis/internal/testenv"
)

// These tests run the real podpis binary: the window under Xvfb, and the
// command line under C locales. They need external tools; as everywhere in
// Podpis, a missing tool fails the test under CI=true and skips it otherwise.

// needTool returns the path of an external program, or stops the test.
func needTool(t *testing.T, name, pkg string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		testenv.Missing(t, "%s is missing (Debian package %s)", name, pkg)
	}
	return path
}

// buildPodpis builds ./app, the real binary, into dir.
func buildPodpis(t *testing.T, dir string) string {
	t.Helper()
	if testing.Short() && !testenv.InCI() {
		// -short is for a quick local run; CI always builds and checks the window.
		t.Skip("builds the podpis binary")
	}
	gomod, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatalf("go env GOMOD: %v", err)
	}
	root := filepath.Dir(strings.TrimSpace(string(gomod)))
	bin := filepath.Join(dir, "podpis")
	cmd := exec.Command("go", "build", "-o", bin, "./app")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./app: %v\n%s", err, out)
	}
	return bin
}

// cleanEnv is a minimal environment for the binary: no locale, D-Bus or
// keyring of the person running the tests, and a home of its own so fyne's
// settings land in the test's folder.
func cleanEnv(home string, extra ...string) []string {
	env := []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + home,
		"XDG_CONFIG_HOME=" + filepath.Join(home, ".config"),
		"XDG_CACHE_HOME=" + filepath.Join(home, ".cache"),
		"XDG_DATA_HOME=" + filepath.Join(home, ".local", "share"),
		"PODPIS_KEYRING=off",
	}
	return append(env, extra...)
}

func TestPodpisBinary(t *testing.T) {
	tmp := t.TempDir()
	bin := buildPodpis(t, tmp)
	t.Run("no locale noise", func(t *testing.T) { testNoLocaleNoise(t, bin) })
	t.Run("window under Xvfb", func(t *testing.T) { testRealWindow(t, bin) })
	t.Run("token panel on SoftHSM2", func(t *testing.T) { testTokenPanelWindow(t, bin) })
}

// testNoLocaleNoise: fyne's lang package reads the locale when the program
// starts, before main, and logs an error for a locale such as C.UTF-8;
// localeenv must prevent that for every command, not only the window.
func testNoLocaleNoise(t *testing.T, bin string) {
	store := t.TempDir()
	for _, locale := range []string{"LANG=C", "LANG=C.UTF-8", "LC_ALL=C.utf8", "LANG=POSIX.UTF-8", "LANG=sr_RS@latin", "LANGUAGE=C.UTF-8", "LANG="} {
		cmd := exec.Command(bin, "list", "--store", store)
		cmd.Env = cleanEnv(t.TempDir(), locale)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		_ = cmd.Run() // the exit code is the CLI's business
		if strings.Contains(stderr.String(), "Fyne error") || strings.Contains(stderr.String(), "locale") {
			t.Errorf("%s podpis list printed:\n%s", locale, stderr.String())
		}
	}
}

// xvfb is a private X server.
type xvfb struct {
	display string
	cmd     *exec.Cmd
}

// startXvfb starts Xvfb on a free display: -displayfd lets the server pick
// one and say which.
func startXvfb(t *testing.T) *xvfb {
	t.Helper()
	path := needTool(t, "Xvfb", "xvfb")
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	cmd := exec.Command(path, "-displayfd", "3", "-screen", "0", "1280x800x24", "-nolisten", "tcp")
	cmd.ExtraFiles = []*os.File{w}
	logFile, err := os.CreateTemp(t.TempDir(), "xvfb")
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	cmd.Stderr = logFile
	log := func() string { data, _ := os.ReadFile(logFile.Name()); return string(data) }
	if err := cmd.Start(); err != nil {
		t.Fatalf("start Xvfb: %v", err)
	}
	w.Close()
	t.Cleanup(func() { terminate(cmd) })
	number := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(r).ReadString('\n')
		number <- strings.TrimSpace(line)
	}()
	select {
	case n := <-number:
		if n == "" {
			t.Fatalf("Xvfb did not start: %s", log())
		}
		return &xvfb{display: ":" + n, cmd: cmd}
	case <-time.After(30 * time.Second):
		t.Fatalf("Xvfb did not report its display: %s", log())
		return nil
	}
}

// runningApp is the podpis window running on an X server.
type runningApp struct {
	cmd    *exec.Cmd
	output string // file with what it prints
}

func startApp(t *testing.T, bin string, x *xvfb, env []string, args ...string) *runningApp {
	t.Helper()
	out, err := os.CreateTemp(t.TempDir(), "output")
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(env, "DISPLAY="+x.display)
	cmd.Stdout = out
	cmd.Stderr = out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start podpis: %v", err)
	}
	a := &runningApp{cmd: cmd, output: out.Name()}
	t.Cleanup(a.stop)
	return a
}

// printed is what the app has printed so far.
func (a *runningApp) printed() string {
	data, _ := os.ReadFile(a.output)
	return string(data)
}

func (a *runningApp) stop() { terminate(a.cmd) }

// terminate asks a process to end (Xvfb then removes its socket and lock
// file), and kills it if it has not within five seconds.
func terminate(cmd *exec.Cmd) {
	if cmd.ProcessState != nil {
		return
	}
	done := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(done)
	}()
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = cmd.Process.Kill()
		<-done
	}
}

// waitForWindow polls the X server until a window with this title is
// mapped.
func waitForWindow(t *testing.T, x *xvfb, title string, a *runningApp) {
	t.Helper()
	xwininfo := needTool(t, "xwininfo", "x11-utils")
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		cmd := exec.Command(xwininfo, "-root", "-tree")
		cmd.Env = []string{"DISPLAY=" + x.display}
		out, _ := cmd.Output()
		if bytes.Contains(out, []byte(`"`+title+`"`)) {
			return
		}
		time.Sleep(300 * time.Millisecond)
	}
	t.Fatalf("no window %q appeared within a minute; podpis said:\n%s", title, a.printed())
}

// screenshot saves the whole screen as PNG.
func screenshot(t *testing.T, x *xvfb, path string) image.Image {
	t.Helper()
	imp := needTool(t, "import", "imagemagick")
	cmd := exec.Command(imp, "-window", "root", path)
	cmd.Env = []string{"DISPLAY=" + x.display, "PATH=" + os.Getenv("PATH")}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("screenshot: %v\n%s", err, out)
	}
	return readPNG(t, path)
}

// readPNG loads a screenshot saved before.
func readPNG(t *testing.T, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("read screenshot %s: %v", path, err)
	}
	return img
}

// Regions of a 1100x700 window at the top left of the screen: the tabs and
// the toolbar below them, and the certificate list, left of the split.
var (
	toolbarRegion = image.Rect(0, 0, 1100, 80)
	listRegion    = image.Rect(0, 84, 540, 400)
	// signTabPoint is the middle of the "Подписать" tab; the Sign screen's
	// options (the chosen certificate) are at the bottom left.
	signTabPoint = image.Pt(210, 21)
	signOptions  = image.Rect(0, 340, 530, 700)
	// diagnoseTabPoint is the middle of the "Диагностика" tab.
	diagnoseTabPoint = image.Pt(465, 21)
	contentRegion    = image.Rect(0, 80, 1100, 700)
)

// ocr reads the text in a region of a screenshot. The window is drawn in a
// dark theme: grey, inverted and enlarged, it reads best.
func ocr(t *testing.T, shot string, region image.Rectangle) string {
	t.Helper()
	tesseract, err := exec.LookPath("tesseract")
	if err != nil {
		return ""
	}
	prepared := strings.TrimSuffix(shot, ".png") + "-ocr.png"
	crop := fmt.Sprintf("%dx%d+%d+%d", region.Dx(), region.Dy(), region.Min.X, region.Min.Y)
	convert := exec.Command("convert", shot, "-crop", crop, "+repage", "-colorspace", "Gray", "-negate", "-resize", "300%", prepared)
	if out, err := convert.CombinedOutput(); err != nil {
		t.Fatalf("prepare %s for OCR: %v\n%s", shot, err, out)
	}
	out, err := exec.Command(tesseract, prepared, "stdout", "-l", "rus+eng").Output()
	if err != nil {
		t.Fatalf("tesseract %s: %v", prepared, err)
	}
	return string(out)
}

// differingPixels counts pixels of region that differ between two images.
func differingPixels(a, b image.Image, region image.Rectangle) int {
	n := 0
	for y := region.Min.Y; y < region.Max.Y; y++ {
		for x := region.Min.X; x < region.Max.X; x++ {
			r1, g1, b1, _ := a.At(x, y).RGBA()
			r2, g2, b2, _ := b.At(x, y).RGBA()
			if r1 != r2 || g1 != g2 || b1 != b2 {
				n++
			}
		}
	}
	return n
}

// shotDir keeps the screenshots after the test, to look at them.
func shotDir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(os.TempDir(), "podpis-ui-test")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// testRealWindow opens the real window on a store holding a certificate and
// checks, from a screenshot, that the list shows it: its name read back by
// OCR inside the list, and the list differing from an empty store's.
func testRealWindow(t *testing.T, bin string) {
	needTool(t, "import", "imagemagick")
	needTool(t, "xwininfo", "x11-utils")
	if os.Getenv("CI") == "true" {
		needTool(t, "tesseract", "tesseract-ocr and tesseract-ocr-rus")
	}
	x := startXvfb(t)
	shots := shotDir(t)
	const cn = "PODPIS TEST 4711"
	const title = "Podpis — сертификаты"

	// A store with a personal certificate valid for months: no banner, so
	// the name appears in the list only.
	storeDir := t.TempDir()
	store, err := certstore.Open(certstore.Options{Dir: storeDir, Keyring: certstore.NoKeyring{}})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	ca := newRootAt(t, "Тестовый УЦ", now)
	me := ca.issuePerson(t, cn, now.Add(-day), now.Add(200*day))
	pfx := filepath.Join(t.TempDir(), "test.p12")
	if err := os.WriteFile(pfx, p12(t, me, nil, "пароль"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = store.ImportFile(pfx, certstore.ImportOptions{Password: func(certstore.PasswordRequest) (string, error) { return "пароль", nil }})
	if err != nil {
		t.Fatalf("import fixture: %v", err)
	}

	// The empty store first, in a C locale with --lang ru: the reference
	// picture, and a check that the language override works there.
	empty := startApp(t, bin, x, cleanEnv(t.TempDir(), "LANG=C.UTF-8"), "gui", "--store", t.TempDir(), "--lang", "ru")
	waitForWindow(t, x, title, empty)
	emptyShot := filepath.Join(shots, "window-empty-ru.png")
	var emptyImg image.Image
	// Drawn once the toolbar is: the Import button is blue.
	if !waitUntil(t, 30*time.Second, func() bool {
		emptyImg = screenshot(t, x, emptyShot)
		return differingPixels(emptyImg, blank(emptyImg), toolbarRegion) > 1000
	}) {
		t.Fatalf("the window was not drawn within 30 s; screenshot: %s", emptyShot)
	}
	time.Sleep(2 * time.Second) // the store loads in the background
	emptyImg = screenshot(t, x, emptyShot)
	checkQuiet(t, "empty store, LANG=C.UTF-8 --lang ru", empty)
	empty.stop()
	if _, err := exec.LookPath("tesseract"); err == nil {
		if text := ocr(t, emptyShot, image.Rect(0, 0, 1100, 700)); !containsFold(text, "Перетащите") {
			t.Errorf("empty store window does not invite to drop a file in Russian; OCR read:\n%s\nscreenshot: %s", text, emptyShot)
		}
	}

	app := startApp(t, bin, x, cleanEnv(t.TempDir(), "LANG=ru_RU.UTF-8"), "gui", "--store", storeDir)
	waitForWindow(t, x, title, app)
	shot := filepath.Join(shots, "window-ru.png")
	_, haveOCR := exec.LookPath("tesseract")
	var img image.Image
	var text string
	// The window is drawn when its toolbar looks as the empty store's did
	// (nothing is selected in either); the list then differs.
	drawn := func() bool { return differingPixels(img, emptyImg, toolbarRegion) < 50 }
	found := waitUntil(t, 30*time.Second, func() bool {
		img = screenshot(t, x, shot)
		if !drawn() {
			return false
		}
		if haveOCR == nil {
			text = ocr(t, shot, listRegion)
			return matchesName(text, cn)
		}
		return differingPixels(img, emptyImg, listRegion) > 1000
	})
	switch {
	case !drawn():
		t.Fatalf("the window was not drawn within 30 s; screenshot: %s", shot)
	case !found && haveOCR == nil:
		t.Fatalf("the list does not show %q; OCR of the list read:\n%s\nscreenshot: %s", cn, text, shot)
	case !found:
		t.Fatalf("the list looks like an empty store's; screenshot: %s", shot)
	}
	if n := differingPixels(img, emptyImg, listRegion); n < 1000 {
		t.Errorf("the list region differs from an empty store's in only %d pixels; screenshot: %s", n, shot)
	}
	if haveOCR != nil {
		t.Logf("tesseract is not installed: checked the list by pixels only; screenshot: %s", shot)
	}
	checkQuiet(t, "LANG=ru_RU.UTF-8", app)
	signShot := checkSignTab(t, x, img, cn)
	checkQuiet(t, "the Sign tab", app)
	diagnoseShot := checkDiagnoseTab(t, x, signShot)
	checkQuiet(t, "the Diagnose tab", app)
	app.stop()
	t.Logf("screenshots: %s, %s, %s, %s", shot, emptyShot, signShot, diagnoseShot)
}

// checkSignTab clicks the Sign tab of the window showing the certificates
// (certificates is its screenshot) and checks that the Sign screen shows,
// with the store's one personal certificate chosen for signing.
func checkSignTab(t *testing.T, x *xvfb, certificates image.Image, cn string) string {
	xdotool := needTool(t, "xdotool", "xdotool")
	click := exec.Command(xdotool, "mousemove", fmt.Sprint(signTabPoint.X), fmt.Sprint(signTabPoint.Y), "click", "1")
	click.Env = []string{"DISPLAY=" + x.display}
	if out, err := click.CombinedOutput(); err != nil {
		t.Fatalf("xdotool click: %v\n%s", err, out)
	}
	shot := filepath.Join(shotDir(t), "window-sign-ru.png")
	var img image.Image
	if !waitUntil(t, 30*time.Second, func() bool {
		img = screenshot(t, x, shot)
		return differingPixels(img, certificates, signOptions) > 1000
	}) {
		t.Fatalf("clicking the Sign tab did not show the Sign screen; screenshot: %s", shot)
	}
	if _, err := exec.LookPath("tesseract"); err == nil {
		if text := ocr(t, shot, signOptions); !matchesName(text, cn) || !containsFold(text, "Отсоединённая") {
			t.Errorf("the Sign screen does not offer %q with a detached signature; OCR read:\n%s\nscreenshot: %s", cn, text, shot)
		}
	}
	return shot
}

// checkDiagnoseTab clicks the Diagnose tab of the window showing the Sign
// screen (signShot is its screenshot) and checks that the Diagnose screen
// shows: its offline option and its drop hint, which names key containers.
func checkDiagnoseTab(t *testing.T, x *xvfb, signShot string) string {
	xdotool := needTool(t, "xdotool", "xdotool")
	before := readPNG(t, signShot)
	click := exec.Command(xdotool, "mousemove", fmt.Sprint(diagnoseTabPoint.X), fmt.Sprint(diagnoseTabPoint.Y), "click", "1")
	click.Env = []string{"DISPLAY=" + x.display}
	if out, err := click.CombinedOutput(); err != nil {
		t.Fatalf("xdotool click: %v\n%s", err, out)
	}
	shot := filepath.Join(shotDir(t), "window-diagnose-ru.png")
	var img image.Image
	if !waitUntil(t, 30*time.Second, func() bool {
		img = screenshot(t, x, shot)
		return differingPixels(img, before, contentRegion) > 1000
	}) {
		t.Fatalf("clicking the Diagnose tab did not show the Diagnose screen; screenshot: %s", shot)
	}
	if _, err := exec.LookPath("tesseract"); err == nil {
		if text := ocr(t, shot, image.Rect(0, 0, 1100, 700)); !containsFold(text, "Без сети") || !containsFold(text, "контейнер с ключом") {
			t.Errorf("the Diagnose screen lacks its offline option or drop hint; OCR read:\n%s\nscreenshot: %s", text, shot)
		}
	}
	return shot
}

// waitUntil retries check until it holds or the time is up.
func waitUntil(t *testing.T, limit time.Duration, check func() bool) bool {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		if check() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// blank is a black image of img's size: what Xvfb shows before a window.
func blank(img image.Image) image.Image { return image.NewRGBA(img.Bounds()) }

// matchesName finds name in OCR output, forgiving spacing and the usual
// O/0 confusion.
func matchesName(text, name string) bool {
	normalize := func(s string) string {
		s = strings.ToUpper(s)
		s = strings.NewReplacer("0", "O", " ", "", "\n", "").Replace(s)
		return s
	}
	return strings.Contains(normalize(text), normalize(name))
}

func containsFold(text, word string) bool {
	return strings.Contains(strings.ToLower(text), strings.ToLower(word))
}

// checkQuiet fails when the running app has printed an error (fyne logs
// "Fyne error"), e.g. about the locale. It is called before the app is
// stopped: on exit Fyne 2.7 saves its preferences by truncating the file
// before it marks the save as its own, so its file watcher may reload the
// empty file and log "Preferences load error: EOF". That race is Fyne's,
// harmless, and not what this checks.
var fyneError = regexp.MustCompile(`(?i)fyne error|locale`)

func checkQuiet(t *testing.T, what string, a *runningApp) {
	t.Helper()
	if fyneError.MatchString(a.printed()) {
		t.Errorf("%s: podpis printed errors:\n%s", what, a.printed())
	}
}

// testTokenPanelWindow opens the real window with the settings naming the
// real SoftHSM2 module, over a token set up for the test, opens the token
// panel from the toolbar and reads the token's label and its certificate
// back from a screenshot: the whole path from a PKCS#11 library to pixels.
func testTokenPanelWindow(t *testing.T, bin string) {
	needTool(t, "import", "imagemagick")
	needTool(t, "xwininfo", "x11-utils")
	xdotool := needTool(t, "xdotool", "xdotool")
	if _, err := exec.LookPath("tesseract"); err != nil {
		// The button is found by reading the toolbar: without OCR there
		// is nothing to click or to check.
		testenv.Missing(t, "tesseract is missing (Debian packages tesseract-ocr and tesseract-ocr-rus)")
	}
	const label = "PODPIS TOKEN 4711"
	tok := softhsm.New(t, softhsm.Options{Label: label, RSA: true})
	storeDir := t.TempDir()
	store, err := certstore.Open(certstore.Options{Dir: storeDir, Keyring: certstore.NoKeyring{}})
	if err != nil {
		t.Fatal(err)
	}
	if err := store.SaveSettings(certstore.Settings{TokenModule: tok.Module()}); err != nil {
		t.Fatal(err)
	}

	x := startXvfb(t)
	const title = "Podpis — сертификаты"
	app := startApp(t, bin, x, cleanEnv(t.TempDir(), append([]string{"LANG=ru_RU.UTF-8"}, tok.Env...)...), "gui", "--store", storeDir)
	waitForWindow(t, x, title, app)
	shot := filepath.Join(shotDir(t), "window-tokens-toolbar-ru.png")
	var button image.Point
	if !waitUntil(t, 30*time.Second, func() bool {
		screenshot(t, x, shot)
		var found bool
		button, found = ocrFind(t, shot, toolbarRegion, "Токены")
		return found
	}) {
		t.Fatalf("the toolbar has no «Токены и смарт-карты» button; OCR read:\n%s\nscreenshot: %s", ocr(t, shot, toolbarRegion), shot)
	}
	before := readPNG(t, shot)
	click := exec.Command(xdotool, "mousemove", fmt.Sprint(button.X), fmt.Sprint(button.Y), "click", "1")
	click.Env = []string{"DISPLAY=" + x.display}
	if out, err := click.CombinedOutput(); err != nil {
		t.Fatalf("xdotool click: %v\n%s", err, out)
	}
	panel := filepath.Join(shotDir(t), "window-tokens-ru.png")
	var text string
	if !waitUntil(t, 30*time.Second, func() bool {
		img := screenshot(t, x, panel)
		if differingPixels(img, before, contentRegion) < 1000 {
			return false
		}
		text = ocr(t, panel, image.Rect(0, 0, 1100, 700))
		return matchesName(text, label)
	}) {
		t.Fatalf("the token panel does not show the token %q; OCR read:\n%s\nscreenshot: %s", label, text, panel)
	}
	// White on blue, the buttons read badly, and a hex serial too: the
	// certificate's owner says that the card was read.
	if !containsFold(text, "Тестовый Токен RSA") || !containsFold(text, "серийный номер") {
		t.Errorf("the token panel lacks the token's serial number or its certificate; OCR read:\n%s\nscreenshot: %s", text, panel)
	}
	checkQuiet(t, "the token panel", app)
	app.stop()
	t.Logf("screenshots: %s, %s", shot, panel)
}

// ocrFind reads region of a screenshot and returns the screen position of
// the middle of the first word that starts with prefix.
func ocrFind(t *testing.T, shot string, region image.Rectangle, prefix string) (image.Point, bool) {
	t.Helper()
	const scale = 3 // as ocr enlarges it
	prepared := strings.TrimSuffix(shot, ".png") + "-find.png"
	crop := fmt.Sprintf("%dx%d+%d+%d", region.Dx(), region.Dy(), region.Min.X, region.Min.Y)
	convert := exec.Command("convert", shot, "-crop", crop, "+repage", "-colorspace", "Gray", "-negate", "-resize", fmt.Sprintf("%d%%", scale*100), prepared)
	if out, err := convert.CombinedOutput(); err != nil {
		t.Fatalf("prepare %s for OCR: %v\n%s", shot, err, out)
	}
	out, err := exec.Command("tesseract", prepared, "stdout", "-l", "rus+eng", "tsv").Output()
	if err != nil {
		t.Fatalf("tesseract %s: %v", prepared, err)
	}
	// TSV columns: level page block par line word left top width height conf text.
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Split(line, "\t")
		if len(f) < 12 || !strings.HasPrefix(strings.ToLower(f[11]), strings.ToLower(prefix)) {
			continue
		}
		var left, top, width, height int
		if _, err := fmt.Sscan(f[6], &left); err != nil {
			continue
		}
		fmt.Sscan(f[7], &top)
		fmt.Sscan(f[8], &width)
		fmt.Sscan(f[9], &height)
		return image.Pt(region.Min.X+(left+width/2)/scale, region.Min.Y+(top+height/2)/scale), true
	}
	return image.Point{}, false
}
