# The manual cannot lie: every ```sql block of README.md, then of
# REFERENCE.md, runs in order in one fresh database loaded with the demo
# data (test/demo.sql), as a superuser unless its first line is
# "-- as <role>" (then SET ROLE <role>, which an earlier block made), or
# "-- not run: <reason>" (a restart, a second server, a shell line: another
# test runs it, or nothing can).  A block whose first line is
# "-- fails with <SQLSTATE>" must fail with that SQLSTATE.  A fenced block
# with no language right after a ```sql block is what psql prints for it
# (aligned, psql -X -q): it is compared, lines' trailing blanks aside.  The
# demo data are dated relative to today, and so are the examples.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

sub slurp
{
	my ($path) = @_;
	open(my $fh, '<', $path) or die "$path: $!";
	local $/;
	my $text = <$fh>;
	close $fh;
	return $text;
}

# The blocks of a Markdown file: [language, text, line] in order.
sub blocks
{
	my ($file) = @_;
	my @lines = split /\n/, slurp($file), -1;
	my (@out, $lang, @body, $start);
	for my $i (0 .. $#lines)
	{
		my $l = $lines[$i];
		if (!defined $lang && $l =~ /^```(\S*)\s*$/)
		{
			($lang, @body, $start) = ($1, (), $i + 1);
			@body = ();
			$start = $i + 1;
		}
		elsif (defined $lang && $l =~ /^```\s*$/)
		{
			push @out, [ $lang, join("\n", @body), $start, $i + 1 ];
			undef $lang;
		}
		elsif (defined $lang)
		{
			push @body, $l;
		}
	}
	return @out;
}

sub tidy { my ($t) = @_; $t =~ s/[ \t]+$//mg; $t =~ s/\n+\z//; $t =~ s/\A\n+//; return $t; }

my $node = PostgreSQL::Test::Cluster->new('docs');
$node->init;
$node->append_conf('postgresql.conf', "shared_preload_libraries = 'competency'\n");
$node->start;
$node->safe_psql('postgres', 'CREATE DATABASE docs');
my ($rc, $out, $err) = $node->psql('docs', slurp('test/demo.sql'));
is($rc, 0, 'the demo data load') or diag($err);

my $ran = 0;
for my $file ('README.md', 'REFERENCE.md')
{
	next unless -f $file;
	my @b = blocks($file);
	for my $k (0 .. $#b)
	{
		my ($lang, $text, $line, $end) = @{ $b[$k] };
		next unless $lang eq 'sql';
		my $where = "$file:$line";
		if ($text =~ /^-- not run: (.+)/)
		{
			note("$where not run: $1");
			next;
		}
		my $sql = $text;
		my ($role, $fails);
		while ($sql =~ s/^-- (as (\S+)|fails with (\w{5}))[^\n]*\n//)
		{
			$role = $2 if defined $2;
			$fails = $3 if defined $3;
		}
		$sql = "SET ROLE $role;\n$sql\nRESET ROLE;" if defined $role;
		# the expected output: the next block, with no language, right after
		my $want;
		if ($k < $#b && $b[ $k + 1 ][0] eq '' && $b[ $k + 1 ][2] - $end <= 2)
		{
			$want = $b[ $k + 1 ][1];
		}
		($rc, $out, $err) = $node->psql('docs', "\\set VERBOSITY verbose\n$sql",
			extra_params => [ '-P', 'format=aligned', '-P', 'tuples_only=off', '-P', 'footer=off',
			                  '-P', 'pager=off' ]);
		$ran++;
		if (defined $fails)
		{
			like($err, qr/ERROR:  $fails:/, "$where fails with $fails");
			next;
		}
		is($err =~ /ERROR/ ? $err : '', '', "$where runs" . (defined $role ? " as $role" : ''));
		is(tidy($out), tidy($want), "$where prints what $file shows") if defined $want;
	}
}
ok($ran >= 10, "$ran blocks ran");

$node->stop;
done_testing();
