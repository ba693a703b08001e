#!/usr/bin/env bash
# demo.sh: README's first command. Install what is missing, build, and open
# hasync on a throwaway demo cluster (PostgreSQL + emulated Hasura replicas).
cd "$(dirname "$0")" || exit 1
. tests/lib/bootstrap.sh
bootstrap_packages || exit 1
bootstrap_build || exit 1
exec bash tests/demo/demo-cluster.sh "$@"
