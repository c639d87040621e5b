"""What the real binary's --help says: its commands, each command's options, its exit codes;
and what the man page and the bash completion say about the same. Shared by the drift test
(source files) and the package test (installed files). Not a test module itself."""

import gzip
import os
import re
import subprocess
import tempfile

OPTION_LINE = re.compile(r'^  (-[^\s]+)')
COMMAND_LINE = re.compile(r'^  ([a-z][a-z0-9-]*)\s')


def _run(binary, *words):
    proc = subprocess.run([binary, *words], capture_output=True, text=True, timeout=30,
                          env={'PATH': '/usr/bin:/bin', 'LANG': 'C.UTF-8'})
    if proc.returncode != 0:
        raise AssertionError(f'{binary} {" ".join(words)} exited {proc.returncode}: '
                             f'{proc.stderr}')
    return proc.stdout


def _help(binary, *command):
    return _run(binary, *command, '--help')


def _sections(text):
    """{'Options': [lines], 'Subcommands': [lines], ...} of a CLI11 help text."""
    sections, current = {}, None
    for line in text.splitlines():
        if re.match(r'^[A-Z][A-Za-z ]*:$', line):
            current = line[:-1]
            sections[current] = []
        elif current is not None:
            if line and not line.startswith(' '):
                current = None
            else:
                sections[current].append(line)
    return sections


def _options(lines):
    names = set()
    for line in lines:
        m = OPTION_LINE.match(line)
        if m:
            names.update(n for n in m.group(1).split(',') if n.startswith('-'))
    return names


def _positionals(lines):
    return {m.group(1) for m in map(COMMAND_LINE.match, lines) if m}


class Help:
    """The binary's command line as its --help states it."""

    def __init__(self, binary):
        top = _help(binary)
        parts = _sections(top)
        self.top_options = _options(parts.get('Options', []))
        self.commands = {}
        self.file_commands = set()  # those whose --help lists a positional FILE
        for line in parts.get('Subcommands', []):
            m = COMMAND_LINE.match(line)
            if m:
                name = m.group(1)
                sections = _sections(_help(binary, name))
                self.commands[name] = _options(sections.get('Options', []))
                if 'file' in _positionals(sections.get('Positionals', [])):
                    self.file_commands.add(name)
        # `help [COMMAND]` is a command --help does not list: it prints what --help prints.
        self.help_command = _run(binary, 'help') == top
        footer = re.search(r'Exit codes: (.*?)\.(\n|$)', top)
        self.exit_codes = re.findall(r'(?:^|, )(\d+) ', footer.group(1)) if footer else []
        if not self.commands or not self.top_options or not self.exit_codes:
            raise AssertionError(f'cannot read commands, options or exit codes from:\n{top}')

    def all_options(self):
        names = set(self.top_options)
        for options in self.commands.values():
            names |= options
        return names


def read_man(path):
    opener = gzip.open if path.endswith('.gz') else open
    with opener(path, 'rt', encoding='utf-8') as f:
        return f.read()


def _plain(roff):
    """Roff source to words: font escapes and \\c dropped, \\- made '-', quotes dropped."""
    text = re.sub(r'\\f[BIRP]', '', roff)
    text = text.replace('\\-', '-').replace('\\c', '').replace('"', ' ')
    return re.sub(r'^\.[A-Z]{1,2}\b ?', '', text, flags=re.M)


def _mentions(text, option):
    return re.search(r'(?<![\w-])' + re.escape(option) + r'(?![\w-])', text) is not None


class ManPage:
    """A man page as sections (.SH) of subsections (.SS), in plain text."""

    def __init__(self, roff):
        self.sections = {}
        section = sub = None
        for line in roff.splitlines():
            m = re.match(r'^\.(SH|SS) +"?(.*?)"?\s*$', line)
            if m and m.group(1) == 'SH':
                section, sub = m.group(2), ''
                self.sections[section] = {'': ''}
            elif m:
                sub = m.group(2)
                self.sections[section][sub] = ''
            elif section is not None:
                self.sections[section][sub] += line + '\n'
        for subs in self.sections.values():
            for name in subs:
                subs[name] = _plain(subs[name])

    def section(self, name):
        return self.sections.get(name, {})

    def text(self):
        return '\n'.join(t for subs in self.sections.values() for t in subs.values())


def man_problems(help_, roff):
    """Every way the man page and --help disagree, one line each."""
    man = ManPage(roff)
    problems = []
    commands = man.section('COMMANDS')
    groups = man.section('SHARED OPTIONS')

    def documented(text, seen=()):
        """Text of a subsection plus that of every shared group it names, transitively."""
        out = text
        for name, body in groups.items():
            if name and name not in seen and name.lower() in text.lower():
                out += documented(body, seen + (name,))
        return out

    for command, options in sorted(help_.commands.items()):
        if command not in commands:
            problems.append(f'man page: command "{command}" has no .SS {command} under COMMANDS')
            continue
        text = documented(commands[command])
        for option in sorted(options):
            if not _mentions(text, option):
                problems.append(f'man page: option {option} of "{command}" is documented neither '
                                f'in .SS {command} nor in a SHARED OPTIONS group it names')
    everything = man.text()
    for option in sorted(help_.top_options):
        if not _mentions(everything, option):
            problems.append(f'man page: top-level option {option} is not documented')
    known = help_.all_options()
    for option in sorted(set(re.findall(r'(?<![\w-])(--[a-z][a-z0-9-]*)', everything))):
        if option not in known:
            problems.append(f'man page: documents {option}, which no --help lists')
    status = ''.join(man.section('EXIT STATUS').values())
    for code in help_.exit_codes:
        if not re.search(rf'^{code}$', status, re.M):
            problems.append(f'man page: exit code {code} is not under EXIT STATUS')
    for required in ('NAME', 'SYNOPSIS', 'DESCRIPTION', 'ENVIRONMENT', 'FILES', 'EXAMPLES'):
        if required not in man.sections:
            problems.append(f'man page: no {required} section')
    return problems


COMPLETE = r'''
set -u
source "$1"
func=$(complete -p s3-user-script | sed -n 's/.*-F \([^ ]*\) .*/\1/p')
[ -n "$func" ] || { echo "no completion function registered for s3-user-script" >&2; exit 3; }
shift
COMP_WORDS=("$@")
COMP_CWORD=$(($# - 1))
COMP_LINE="$*"
COMP_POINT=${#COMP_LINE}
"$func" s3-user-script "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
printf '%s\n' "${COMPREPLY[@]}"
'''


def complete(script, *words):
    """What bash offers after `words` (the last one being completed) with the script loaded."""
    proc = subprocess.run(['bash', '--norc', '--noprofile', '-c', COMPLETE, 'bash', script,
                           's3-user-script', *words], capture_output=True, text=True, timeout=30)
    if proc.returncode != 0:
        raise AssertionError(f'completion failed for {words}: {proc.stderr}')
    return set(filter(None, proc.stdout.splitlines()))


def completion_problems(help_, script):
    """Every way the bash completion and --help disagree, one line each."""
    problems = []
    commands = set(help_.commands) | ({'help'} if help_.help_command else set())
    offered = complete(script, '')
    for command in sorted(commands - offered):
        problems.append(f'completion: command "{command}" is not offered')
    for extra in sorted(offered - commands):
        problems.append(f'completion: offers command "{extra}", which --help does not list')
    if help_.help_command:
        for command in sorted(set(help_.commands) - complete(script, 'help', '')):
            problems.append(f'completion: command "{command}" is not offered after "help"')
    problems += _file_problems(help_, script)
    cases = [('top level', (), help_.top_options)]
    cases += [(f'"{c}"', (c,), o) for c, o in sorted(help_.commands.items())]
    for where, before, options in cases:
        offered = complete(script, *before, '-')
        for option in sorted(options - offered):
            problems.append(f'completion: option {option} of {where} is not offered')
        for option in sorted(offered - options):
            problems.append(f'completion: offers {option} for {where}, which --help does not list')
    return problems


def _file_problems(help_, script):
    """A command whose --help lists a positional FILE must complete file names there."""
    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, 'user-data.txt')
        open(path, 'w').close()
        for command in sorted(help_.file_commands):
            if complete(script, command, os.path.join(tmp, 'user')) != {path}:
                problems.append(f'completion: FILE of "{command}" does not complete file names')
    return problems


def render_man(path, width=80):
    """`man -l` of a page at `width` columns, as a user reads it: (text, warnings)."""
    env = dict(os.environ, MANWIDTH=str(width), LC_ALL='C.UTF-8', MAN_KEEP_STDERR='1')
    proc = subprocess.run(['man', '--warnings', '-l', path], capture_output=True, text=True,
                          timeout=60, env=env)
    if proc.returncode != 0:
        raise AssertionError(f'man -l {path} exited {proc.returncode}: {proc.stderr}')
    return proc.stdout, proc.stderr.strip()


def man_example_problems(path, width=80):
    """Each example must render as the lines of its .EX block, unfilled and unhyphenated, none
    wider than the terminal: a copied example is then the command as written."""
    roff = read_man(path)
    section = re.search(r'^\.SH EXAMPLES\n(.*?)^\.SH ', roff, re.M | re.S)
    blocks = re.findall(r'^\.EX\n(.*?)^\.EE$', section.group(1) if section else '', re.M | re.S)
    written = {line.replace('\\-', '-').replace('\\e', '\\').strip()
               for block in blocks for line in block.splitlines()}
    text, warnings = render_man(path, width)
    problems = [f'man page: man --warnings at {width} columns: {warnings}'] if warnings else []
    shown = re.search(r'^EXAMPLES\n(.*?)^\S', text, re.M | re.S)
    for line in (shown.group(1) if shown else '').splitlines():
        if len(line) > width:
            problems.append(f'man page: example wider than {width} columns: {line.strip()}')
        # Prose is indented 7 columns, examples (.RS) 14.
        if line.startswith(' ' * 8) and line.strip() not in written:
            problems.append(f'man page: example line at {width} columns is not a line of an '
                            f'.EX block (filled or hyphenated): {line.strip()}')
    if not blocks:
        problems.append('man page: EXAMPLES has no .EX block')
    return problems
