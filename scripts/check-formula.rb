# check-formula.rb DIST DOCLINKS: checks DIST/vmfa.rb, the Homebrew formula
# that scripts/release.sh made, against the archives beside it, as far as a
# machine without Homebrew can (scripts/check-package.sh runs it; DOCLINKS
# is internal/doclinks's test binary, from go test -c):
# - on each of darwin and linux, arm64 and amd64, the url and sha256 that
#   Homebrew picks there name that platform's archive in DIST, with its
#   sha256 (and checksums.txt's); every darwin and linux archive is named;
# - on this machine's platform, it unpacks that archive, installs it as the
#   formula's install block says, into a prefix of its own, checks that all
#   but LICENSE (which brew copies itself) went where Homebrew puts
#   commands, man pages, completions and documentation, that every link of
#   the installed README and docs/ resolves there (DOCLINKS), and runs the
#   test block;
# - the service block runs the agent as packaging/vmfa-agent.service does.
# Formula below is the part of Homebrew's formula DSL that vmfa.rb uses,
# with Homebrew's meanings; it serves this check only.
require "digest"
require "fileutils"
require "open3"
require "pathname"
require "tmpdir"

def fail!(msg)
  warn "check-formula: #{msg}"
  exit 1
end

class Pathname
  # Homebrew's Pathname#install: moves each file into this directory.
  def install(*sources)
    sources = sources.flatten
    fail! "install into #{self} of nothing" if sources.empty?
    mkpath
    sources.each do |src|
      fail! "install of #{src}, which the archive does not have" unless File.exist?(src)
      FileUtils.mv(src, self / File.basename(src)) # a file or a directory
    end
  end
end

class Formula
  # The platform the formula is read for: "darwin"/"linux", "arm64"/"amd64".
  @@os = @@arch = nil
  def self.platform(os, arch) = (@@os, @@arch = os, arch)

  class << self
    attr_reader :test_block, :service_block

    %i[desc homepage license url sha256].each do |field|
      define_method(field) do |value|
        fail! "#{field} given twice for #{@@os}/#{@@arch}" if instance_variable_get("@#{field}")
        instance_variable_set("@#{field}", value)
      end
    end

    def field(name) = instance_variable_get("@#{name}")
    def version(v = nil) = v ? @version = v : @version
    def on_macos = (yield if @@os == "darwin")
    def on_linux = (yield if @@os == "linux")
    def on_arm = (yield if @@arch == "arm64")
    def on_intel = (yield if @@arch == "amd64")
    def test(&block) = @test_block = block
    def service(&block) = @service_block = block
  end

  attr_reader :prefix

  def initialize(prefix) = @prefix = prefix
  def version = self.class.version
  def bin = prefix / "bin"
  def share = prefix / "share"
  def man1 = share / "man/man1"
  def doc = share / "doc/vmfa"
  def bash_completion = prefix / "etc/bash_completion.d"
  def zsh_completion = share / "zsh/site-functions"
  def fish_completion = share / "fish/vendor_completions.d"
  def opt_bin = Pathname("/opt/homebrew/opt/vmfa/bin")

  def shell_output(cmd, result = 0)
    out, status = Open3.capture2e(cmd)
    fail! "test: #{cmd} exited #{status.exitstatus}, not #{result}: #{out}" unless status.exitstatus == result
    out
  end

  def assert_match(want, got)
    fail! "test: #{got.inspect} does not match #{want.inspect}" unless got.match?(want.is_a?(String) ? Regexp.new(Regexp.escape(want)) : want)
  end

  # The service block's words.
  def run(argv) = @service_run = argv
  def keep_alive(_) = nil
  attr_reader :service_run
end

fail! "usage: ruby scripts/check-formula.rb DIST DOCLINKS" unless ARGV.size == 2
dist = Pathname(ARGV[0])
doclinks = ARGV[1]
formula_file = dist / "vmfa.rb"
checksums = (dist / "checksums.txt").read.lines.to_h { |l| l.split.reverse }

read = lambda do |os, arch|
  Object.send(:remove_const, :Vmfa) if Object.const_defined?(:Vmfa)
  Formula.platform(os, arch)
  load formula_file.to_s
  Vmfa
end

built = Dir.children(dist).grep(/\Avmfa_.*_(darwin|linux)_(amd64|arm64)\.tar\.gz\z/)
named = []
%w[darwin linux].product(%w[arm64 amd64]).each do |os, arch|
  f = read.call(os, arch)
  url, sha = f.field(:url), f.field(:sha256)
  want = "vmfa_#{f.version}_#{os}_#{arch}.tar.gz"
  unless url
    fail! "no url for #{os}/#{arch}, yet #{want} was built" if built.include?(want)
    next
  end
  fail! "#{os}/#{arch}: url #{url}: not https, or not #{want}" unless url.start_with?("https://") && File.basename(url) == want
  fail! "#{os}/#{arch}: #{want} is not in #{dist}" unless (dist / want).file?
  actual = Digest::SHA256.file(dist / want).hexdigest
  fail! "#{os}/#{arch}: sha256 #{sha}, but #{want}'s is #{actual}" unless sha == actual
  fail! "#{os}/#{arch}: checksums.txt says #{checksums[want]} for #{want}" unless checksums[want] == actual
  named << want
end
fail! "the formula names none of #{built - named}" unless (built - named).empty?

# Installed here as brew would: unpacked, in the archive's one directory.
host_os = RbConfig::CONFIG["host_os"].start_with?("darwin") ? "darwin" : "linux"
host_arch = { "x86_64" => "amd64", "aarch64" => "arm64", "arm64" => "arm64" }.fetch(RbConfig::CONFIG["host_cpu"])
f = read.call(host_os, host_arch)
archive = dist / "vmfa_#{f.version}_#{host_os}_#{host_arch}.tar.gz"
fail! "no #{archive.basename} to install here" unless archive.file?
Dir.mktmpdir("check-formula") do |tmp|
  tmp = Pathname(tmp)
  system("tar", "-C", tmp.to_s, "-xzf", archive.to_s, exception: true)
  top = tmp.children
  fail! "#{archive.basename} holds #{top.map(&:basename)}, not one directory" unless top.size == 1 && top[0].directory?
  prefix = tmp / "Cellar/vmfa" / f.version
  formula = f.new(prefix)
  pages = Dir.glob("man/man1/*.1", base: top[0]).map { |p| "share/#{p}" }
  fail! "#{archive.basename} has no man pages" if pages.empty?
  docs = Dir.glob("docs/*", base: top[0]).map { |p| "share/doc/vmfa/#{p}" }
  fail! "#{archive.basename} has no docs/" if docs.empty?
  Dir.chdir(top[0]) { formula.install }
  left = Dir.glob("**/*", base: top[0]).reject { |p| (top[0] / p).directory? }.sort
  fail! "install left #{left} in the archive's directory" unless left == %w[LICENSE]
  installed = Dir.glob("**/*", base: prefix).reject { |p| (prefix / p).directory? }.sort
  want = (%w[bin/vmfa bin/vmfa-full etc/bash_completion.d/vmfa share/fish/vendor_completions.d/vmfa.fish
             share/zsh/site-functions/_vmfa share/doc/vmfa/README.md] + pages + docs).sort
  fail! "installed #{installed}; want #{want}" unless installed == want
  out, status = Open3.capture2e(doclinks, "-test.run", "^TestRepositoryLinks$", "-root", formula.doc.to_s)
  fail! "links of the installed README and docs/ do not resolve:\n#{out}" unless status.success?
  ENV["HOME"] = tmp.to_s
  formula.instance_eval(&f.test_block)

  formula.instance_eval(&f.service_block)
  unit = File.read(File.join(__dir__, "../packaging/vmfa-agent.service"))[/^ExecStart=(.*)$/, 1].split
  want_run = [formula.opt_bin / File.basename(unit[0]), *unit[1..]]
  fail! "the service runs #{formula.service_run}; the systemd unit runs #{unit}" unless formula.service_run == want_run
  puts "check-formula: ok: #{named.join(", ")}; installed #{installed.size} files on #{host_os}/#{host_arch} and ran its test"
end
