#!/usr/bin/env bash
# Builds the site exactly as the deployment does (.github/workflows/deploy.yml runs this script):
#
#   KB_SITE_URL=https://OWNER.github.io/REPO/ KB_REPO_URL=https://github.com/OWNER/REPO scripts/build-site.sh
#
# KB_SITE_URL is the address the site is published at (GitHub Pages gives it to the workflow);
# KB_REPO_URL the repository, for the links from every entry back to its source. mkdocs.yml reads
# both with !ENV; left unset, the build keeps links relative and has no source links.
#
# SOURCE_DATE_EPOCH is the time of the last commit (unless already set): the date of the build in
# citations ("accessed"), and the fallback date of an entry with no history of its own. Each
# entry's own dates come from the git history of its source (scripts/knowledgebase/cite/history.py),
# so the clone needs its whole history; a shallow one builds, with the dates it cannot know
# falling back to SOURCE_DATE_EPOCH, and this script says so.
#
# Extra arguments go to `mkdocs build` (for instance --site-dir DIR).
set -euo pipefail
cd "$(dirname "$0")/.."

if git rev-parse --git-dir > /dev/null 2>&1; then
  if [ "$(git rev-parse --is-shallow-repository)" = true ]; then
    echo "build-site: this is a shallow clone; entries not changed in the history fetched are dated" \
      "by SOURCE_DATE_EPOCH. Fetch the whole history first: git fetch --unshallow" >&2
  fi
  if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
    SOURCE_DATE_EPOCH="$(git log -1 --format=%ct)"
    export SOURCE_DATE_EPOCH
  fi
fi
export KB_SITE_URL="${KB_SITE_URL:-}" KB_REPO_URL="${KB_REPO_URL:-}" NO_MKDOCS_2_WARNING=1
exec mkdocs build --strict "$@"
