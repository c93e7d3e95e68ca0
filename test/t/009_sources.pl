# The sources of the SQL side and the version, as test/README.md describes
# them.  The version lives in META.json; competency.control and the
# Makefile's EXTVERSION agree with it, and META.json claims only the
# PostgreSQL the project builds and tests (15).  Every function, aggregate
# and view is defined in one file of its own under sql/install (latest.sql,
# or the snapshot of the version that shipped an older definition), which
# exactly one version script includes; no version script defines one
# itself.  No project file cites the contract's sections (a file users
# never get): rules are stated where they are used.  Runs from the top of the tree (as prove_installcheck does)
# and needs no server.
use strict;
use warnings;
use File::Find;
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

# The version, in one place.
my $meta = slurp('META.json');
# the distribution's version and the extension's (not the meta-spec's)
my @meta_versions = ($meta =~ /^   "version":\s*"([^"]+)"/m, $meta =~ /^         "version":\s*"([^"]+)"/m);
my ($control) = slurp('competency.control') =~ /^default_version\s*=\s*'([^']+)'/m;
my $make = `make -s -f Makefile print-version 2>/dev/null`;
chomp $make;
is(scalar(@meta_versions), 2, 'META.json gives the version twice (the distribution and the extension)');
is($meta_versions[0], $meta_versions[1], 'and the same both times');
is("$control.0", $meta_versions[0], "competency.control's default_version ($control) is META.json's");
is($make, $control, "the Makefile's EXTVERSION ($make) is read from META.json");
like($meta, qr/"PostgreSQL":\s*">= 15\.0\.0, < 16\.0\.0"/, 'META.json claims PostgreSQL 15 only');

# The scripts and the files they include.
my $dir = 'sql/install';
my @scripts = sort glob("$dir/competency--*.sql");
ok(@scripts >= 2, scalar(@scripts) . ' version scripts');
ok(-f "$dir/competency--$control.sql" || grep(/--\Q$control\E\.sql$/, @scripts),
	"a script reaches the default version $control");
my %included;
for my $script (@scripts)
{
	my $text = slurp($script);
	for my $inc ($text =~ /^#include "([^"]+)"$/mg)
	{
		ok(-s "$dir/$inc", "$script: $inc exists");
		push @{ $included{$inc} }, $script;
	}
	my @defined = $text =~ /^\s*CREATE\s+(?:OR\s+REPLACE\s+)?(?:FUNCTION|AGGREGATE|VIEW)\s+(\S+)/mig;
	is(join(', ', @defined), '', "$script defines no function, aggregate or view itself");
}
my @objects;
find(sub { push @objects, $File::Find::name =~ s{^\Q$dir\E/}{}r if /\.sql$/ }, "$dir/functions", "$dir/views");
for my $file (sort @objects)
{
	my $n = scalar @{ $included{$file} // [] };
	is($n, 1, "$file is included by one script") or diag(join(', ', @{ $included{$file} // [] }));
	my $text = slurp("$dir/$file");
	my ($kind, $name) = $file =~ m{^(functions|views)/([^/]+)/};
	my @names = $text =~ /^CREATE\s+(?:OR\s+REPLACE\s+)?(?:FUNCTION|AGGREGATE|VIEW)\s+(?:\@extschema\@\.)?([a-z_0-9]+)/mig;
	ok(@names && !grep({ $_ ne $name } @names), "$file defines $name only");
}
# a definition changed by an upgrade appears once per change: each object
# has at most one file per version that shipped it (the directory's files)
# and its current one is latest.sql unless it was dropped
my %by_object;
push @{ $by_object{ $_ =~ s{/[^/]+$}{}r } }, $_ for @objects;
for my $obj (sort keys %by_object)
{
	my @files = sort @{ $by_object{$obj} };
	my %seen;
	my @dups = grep { $seen{ slurp("$dir/$_") }++ } @files;
	is(join(', ', @dups), '', "$obj: no two of its files hold the same definition");
}

# No file of the project cites the contract by name.
my @cites;
find({ no_chdir => 1, wanted => sub {
	return if $File::Find::name =~ m{/(\.git|tmp_check|results|output_iso|log)(/|$)};
	return if $File::Find::name =~ m{^\./competency--[^/]*\.sql$};	# made by make
	return unless -f $_ && /\.(c|h|sql|pl|sh|md|spec|out|mk|awk|json)$|Makefile$|\.control$|\.ci\/run$/;
	my $text = slurp($_);
	my $word = 'S' . 'PEC';
	push @cites, $File::Find::name if $text =~ /\b$word\b/;
} }, '.');
is(join(', ', sort @cites), '', 'no project file cites the contract by name');

done_testing();
