"""The man page and the bash completion (packaging/) against the real binary's --help: every
command, every option of every command, every exit code; file names wherever a command takes
a FILE; examples that render as the commands written. A command or option added to the binary
and not to them fails here with one line naming it.

usage: docs_drift_test.py BINARY"""

import os
import sys
import tempfile
import unittest

import help_util

SOURCE_DIR = os.environ.get('S3US_SOURCE_DIR') or os.path.abspath(
    os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..'))
MAN = os.path.join(SOURCE_DIR, 'packaging', 's3-user-script.1')
COMPLETION = os.path.join(SOURCE_DIR, 'packaging', 's3-user-script.bash-completion')
BINARY = None


class DocsDrift(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.help = help_util.Help(BINARY)

    def test_man_page_documents_every_command_option_and_exit_code(self):
        problems = help_util.man_problems(self.help, help_util.read_man(MAN))
        self.assertEqual(problems, [], '\n' + '\n'.join(problems))

    def test_completion_offers_every_command_and_option(self):
        problems = help_util.completion_problems(self.help, COMPLETION)
        self.assertEqual(problems, [], '\n' + '\n'.join(problems))

    def test_man_page_examples_are_unbroken_commands(self):
        problems = help_util.man_example_problems(MAN)
        self.assertEqual(problems, [], '\n' + '\n'.join(problems))

    def test_every_command_and_file_argument_is_known(self):
        # What the completion checks rest on: --help names the FILE arguments, and `help`.
        self.assertTrue(self.help.help_command)
        self.assertLessEqual({'plan', 'replay', 'resolve', 'validate', 'sign', 'verify'},
                             self.help.file_commands)
        self.assertNotIn('get', self.help.file_commands)

    def test_the_checks_name_what_is_missing(self):
        # A command and an option the documents do not know are each reported by name.
        commands, file_commands = dict(self.help.commands), set(self.help.file_commands)
        self.help.commands['attest'] = {'-h', '--help', '--key-file'}
        self.help.commands['run'] = commands['run'] | {'--brand-new'}
        self.help.file_commands.add('attest')
        try:
            man = help_util.man_problems(self.help, help_util.read_man(MAN))
            completion = help_util.completion_problems(self.help, COMPLETION)
        finally:
            self.help.commands, self.help.file_commands = commands, file_commands
        self.assertIn('man page: command "attest" has no .SS attest under COMMANDS', man)
        self.assertIn('man page: option --brand-new of "run" is documented neither in .SS run '
                      'nor in a SHARED OPTIONS group it names', man)
        self.assertIn('completion: command "attest" is not offered', completion)
        self.assertIn('completion: option --key-file of "attest" is not offered', completion)
        self.assertIn('completion: option --brand-new of "run" is not offered', completion)
        self.assertIn('completion: command "attest" is not offered after "help"', completion)
        self.assertIn('completion: FILE of "attest" does not complete file names', completion)

    def test_completion_completes_paths_for_path_options(self):
        with tempfile.TemporaryDirectory() as tmp:
            os.mkdir(os.path.join(tmp, 'state-here'))
            with open(os.path.join(tmp, 'user-data.txt'), 'w'):
                pass
            prefix = os.path.join(tmp, '')
            self.assertEqual(help_util.complete(COMPLETION, 'run', '--state-dir', prefix),
                             {prefix + 'state-here'})
            self.assertEqual(help_util.complete(COMPLETION, 'plan', prefix + 'user'),
                             {prefix + 'user-data.txt'})
            self.assertEqual(help_util.complete(COMPLETION, 'get', '--region', ''), set())
            # sign's --key is a file; the predecessor's --key is a key template.
            self.assertEqual(help_util.complete(COMPLETION, 'sign', '--key', prefix + 'user'),
                             {prefix + 'user-data.txt'})
            self.assertEqual(help_util.complete(COMPLETION, '--key', prefix), set())
            # The predecessor's flags and --version take no command: none was offered there.
            self.assertEqual(help_util.complete(COMPLETION, '-b', 'boot', ''), set())
            self.assertEqual(help_util.complete(COMPLETION, '--version', ''), set())
            self.assertIn('plan', help_util.complete(COMPLETION, ''))


if __name__ == '__main__':
    BINARY = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
