// bench_util.cc - the scratch folder of the file benchmarks (writer,
// pipeline) and the label naming the file system under it.  The file
// system is found in /proc/self/mountinfo by the folder's device number,
// so a bind mount or a folder deep in a mount is named right.
#include "bench_util.h"

#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

namespace ra_bench {

namespace {

class Scratch {
 public:
	Scratch()
	{
		const char *base = std::getenv("RA_BENCH_DIR");
		std::string tmpl = base != nullptr && *base != '\0' ? base :
		    "/var/tmp";

		tmpl += "/ra-bench.XXXXXX";

		if (mkdtemp(tmpl.data()) == nullptr)
			return;
		dir_ = tmpl;
		label_ = FindLabel(dir_);
	}

	~Scratch()
	{
		std::error_code ec;

		if (!dir_.empty())
			std::filesystem::remove_all(dir_, ec);
	}

	const std::string &dir() const { return dir_; }
	const std::string &label() const { return label_; }

 private:
	// mountinfo: id parent major:minor root mountpoint opts [tags] - fstype
	// source superopts
	static std::string
	FindLabel(const std::string &dir)
	{
		struct stat sb;

		if (stat(dir.c_str(), &sb) < 0)
			return "unknown file system";
		std::ostringstream dev;
		dev << major(sb.st_dev) << ':' << minor(sb.st_dev);

		std::ifstream in("/proc/self/mountinfo");
		std::string line;
		while (std::getline(in, line)) {
			std::istringstream f(line);
			std::string id, parent, majmin, word, type, source;

			f >> id >> parent >> majmin;
			if (majmin != dev.str())
				continue;
			while (f >> word && word != "-")
				;
			f >> type >> source;
			std::string label = type + " " + source;
			if (type == "tmpfs" || type == "ramfs")
				label += " (memory, not a disk)";
			return label;
		}
		return "unknown file system";
	}

	std::string dir_;
	std::string label_ = "no scratch folder";
};

Scratch &
TheScratch()
{
	static Scratch s;

	return s;
}

}  // namespace

const std::string &
ScratchDir()
{
	return TheScratch().dir();
}

const std::string &
ScratchLabel()
{
	return TheScratch().label();
}

}  // namespace ra_bench
