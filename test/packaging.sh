#!/bin/bash
# Packaging conventions hold: META.json is valid PGXN metadata (meta-spec
# 1.0.0) whose version is the control file's default_version, the license
# is the PostgreSQL License everywhere, the Debian package is named
# postgresql-NN-pg-converge, the control file states what the extension
# needs, make dist names its archive from the version, no address is
# invented, and nothing a user reads points
# outside the repository.  Prints TAP.
set -uo pipefail
cd "$(dirname "$0")/.."

exec perl -MJSON::PP -e '
use strict;
use warnings;
my $n = 0;
sub ok { my ($ok, $name) = @_; $n++; print(($ok ? "ok" : "not ok") . " $n - $name\n"); return $ok; }
sub slurp { local $/; open(my $f, "<", $_[0]) or return ""; my $s = <$f>; return $s // ""; }

print "1..16\n";
my $meta = eval { decode_json(slurp("META.json")) };
ok($meta && ref $meta eq "HASH", "META.json is JSON");
$meta ||= {};
ok(!grep({ !defined $meta->{$_} } qw(name abstract version maintainer license provides meta-spec)),
   "META.json has every mandatory key");
ok(($meta->{"meta-spec"}{version} // "") eq "1.0.0", "meta-spec 1.0.0");
my $semver = qr/^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z-]+)?$/;
ok(scalar(($meta->{version} // "") =~ $semver), "version is a semantic version");
my ($default) = slurp("pg_converge.control") =~ /^default_version\s*=\s*\x27([^\x27]+)\x27/m;
# PGXN wants three parts: the control file says 0.1, PGXN 0.1.0
my $want = $default // "";
$want .= ".0" while ($want =~ tr/.//) < 2;
ok(($meta->{version} // "") eq $want, "version $want is default_version $default");
my $ext = $meta->{provides}{pg_converge} // {};
ok(($ext->{version} // "") eq $want && -f ($ext->{file} // ""),
   "provides pg_converge at that version, from a file that exists");
ok(!$ext->{docfile} || -f $ext->{docfile}, "its docfile exists");
ok(($meta->{license} // "") eq "postgresql", "license is postgresql");
ok(($meta->{prereqs}{runtime}{requires}{PostgreSQL} // "") eq "15.0.0",
   "runtime requires PostgreSQL 15.0.0");
ok(slurp("LICENSE") =~ /PostgreSQL License/ && slurp("LICENSE") =~ /the pg_converge authors/,
   "LICENSE: PostgreSQL License, the pg_converge authors");
ok(-f "debian/control.in" &&
   slurp("debian/pgversions") =~ /^15\+$/m && slurp("debian/rules") =~ /pg_buildext/,
   "debian/ follows postgresql-common: control.in, pgversions 15+, pg_buildext");
# one binary package per server version, named as Debian names extensions
# (postgresql-NN-<extension with - for _>), in the template, in the control
# file generated from it and in the directory rules installs into
my @in = slurp("debian/control.in") =~ /^Package:\s*(\S+)/mg;
my @out = slurp("debian/control") =~ /^Package:\s*(\S+)/mg;
ok("@in" eq "postgresql-PGVERSION-pg-converge" && @out &&
   !grep({ !/^postgresql-[1-9][0-9]*-pg-converge$/ } @out) &&
   slurp("debian/rules") =~ /pg_buildext loop postgresql-%v-pg-converge$/m,
   "the binary package is postgresql-NN-pg-converge") or print "# control.in: @in; control: @out\n";
my $control = slurp("pg_converge.control");
my %key = $control =~ /^\s*(\w+)\s*=\s*(\S+)/mg;
ok(($key{superuser} // "") eq "true" && ($key{trusted} // "") eq "false" &&
   ($key{relocatable} // "") eq "false" && !exists $key{schema},
   "control file: superuser, not trusted, not relocatable, no fixed schema");
# make dist names the archive and its directory from the version in META.json
# (a dry run: the copy test/matrix makes has no git repository)
my $v = $meta->{version} // "";
my $dist = `make -s -n dist 2>&1`;
ok(length($v) && $dist =~ m{^git archive --format=zip --prefix=pg_converge-\Q$v\E/ -o pg_converge-\Q$v\E\.zip HEAD$}m,
   "make dist: HEAD into pg_converge-$v.zip, under pg_converge-$v/") or print map({ "# $_\n" } split /\n/, $dist);
# no address that nobody vouches for: no repository or bug tracker is
# invented (PGXN does not need "resources"); only the format debian/copyright
# is written in is named
my @urls = map { my $f = $_; map { "$f: $_" } grep { !/^Format: / } grep { m{\w+://} } split /\n/, slurp($f) }
	grep({ -f } "META.json", glob("debian/*"), glob("debian/source/*"));
ok(!@urls, "META.json and debian/ name no address") or print map({ "# $_\n" } @urls);
my @outside = grep { slurp($_) =~ m{\.\./shared|DESIGN\.md} }
	grep({ -f } "README.md", glob("docs/*.md"), glob("debian/*"), "META.json");
ok(!@outside, "no document points outside the repository") or
	print "# @outside\n";
'
