package cli

import (
	"strings"
)

// flagSpec describes one flag a command accepts. Long names only, written
// --name or -name (as Go's flag package allows), with the value as the next
// argument or after "=".
type flagSpec struct {
	name      string
	takesArgs bool // the flag needs a value: --store DIR
}

// globalFlags are accepted by every command (DESIGN: --store, --lang, --json).
func globalFlags() []flagSpec {
	return []flagSpec{
		{name: "store", takesArgs: true},
		{name: "lang", takesArgs: true},
		{name: "json"},
		{name: "help"},
		{name: "h"},
	}
}

// parsedArgs is a command line split into flags and positional arguments.
type parsedArgs struct {
	values     map[string]string // flags with a value; the last one given wins
	bools      map[string]bool   // flags without a value that were given
	positional []string
}

func (p *parsedArgs) has(name string) bool {
	if p.bools[name] {
		return true
	}
	_, ok := p.values[name]
	return ok
}

// splitFlag recognises "-name", "--name" and "--name=value". A lone "-" is a
// positional argument (a file name by convention), and "--" ends the flags.
func splitFlag(arg string) (name, value string, hasValue, ok bool) {
	if len(arg) < 2 || arg[0] != '-' || arg == "--" {
		return "", "", false, false
	}
	name = strings.TrimPrefix(strings.TrimPrefix(arg, "-"), "-")
	if name == "" || name[0] == '-' || name[0] == '=' {
		return "", "", false, false
	}
	name, value, hasValue = strings.Cut(name, "=")
	return name, value, hasValue, true
}

// parseArgs splits args by the given flags. Unlike Go's flag package it
// accepts flags after positional arguments ("import a.p12 --remember b.p12"),
// since that is how people type. Everything after "--" is positional.
func parseArgs(args []string, specs []flagSpec) (*parsedArgs, error) {
	byName := make(map[string]flagSpec, len(specs))
	for _, s := range specs {
		byName[s.name] = s
	}
	p := &parsedArgs{values: map[string]string{}, bools: map[string]bool{}}
	for i := 0; i < len(args); i++ {
		arg := args[i]
		if arg == "--" {
			p.positional = append(p.positional, args[i+1:]...)
			break
		}
		name, value, hasValue, isFlag := splitFlag(arg)
		if !isFlag {
			p.positional = append(p.positional, arg)
			continue
		}
		spec, known := byName[name]
		switch {
		case !known:
			return nil, usageError("unknown-flag", map[string]any{"Flag": arg})
		case spec.takesArgs && hasValue:
			p.values[name] = value
		case spec.takesArgs:
			if i+1 >= len(args) {
				return nil, usageError("flag-value-missing", map[string]any{"Flag": "--" + name})
			}
			i++
			p.values[name] = args[i]
		case hasValue:
			// A boolean given a value: accept the usual spellings so
			// "--json=true" works as with Go's flag package.
			switch strings.ToLower(value) {
			case "true", "1", "yes":
				p.bools[name] = true
			case "false", "0", "no":
				delete(p.bools, name)
			default:
				return nil, usageError("flag-value-invalid", map[string]any{"Flag": "--" + name, "Value": value})
			}
		default:
			p.bools[name] = true
		}
	}
	return p, nil
}

// findCommand returns the first positional argument and the rest of args
// without it, skipping the values of flags that take one: in
// "podpis --store DIR list" the command is list, not DIR. flags are those of
// every command, so a command's own flag may come before it too.
func findCommand(args []string, flags []flagSpec) (name string, rest []string, found bool) {
	takes := map[string]bool{}
	for _, s := range flags {
		if s.takesArgs {
			takes[s.name] = true
		}
	}
	for i := 0; i < len(args); i++ {
		arg := args[i]
		if arg == "--" {
			if i+1 < len(args) {
				// Keep "--" so what follows the command stays positional.
				rest = append(append(append([]string{}, args[:i]...), "--"), args[i+2:]...)
				return args[i+1], rest, true
			}
			return "", args, false
		}
		flagName, _, hasValue, isFlag := splitFlag(arg)
		if isFlag {
			if takes[flagName] && !hasValue {
				i++
			}
			continue
		}
		rest = append(append([]string{}, args[:i]...), args[i+1:]...)
		return arg, rest, true
	}
	return "", args, false
}

// langFlag finds the value of --lang before anything else is parsed, so that
// even a message about a bad command line is in the language asked for.
func langFlag(args []string) (string, bool) {
	value, found := "", false
	for i := 0; i < len(args); i++ {
		if args[i] == "--" {
			break
		}
		name, v, hasValue, isFlag := splitFlag(args[i])
		if !isFlag || name != "lang" {
			continue
		}
		if !hasValue {
			if i+1 >= len(args) {
				break
			}
			i++
			v = args[i]
		}
		value, found = v, true
	}
	return value, found
}
