#!/usr/bin/env bash
# What one durable append costs on a disk, the floor under each group commit of the file spool's journal (and so under
# every webhook it accepts): DiskSyncCost appends 512 B to 16 KiB and fdatasyncs, COUNT times each (5000), and prints
# per sync the wall time, the calling thread's CPU and the whole machine's busy time (the block layer's completion
# work and the kernel's threads run outside the calling thread). Run it on an idle machine; FOLDER is on the disk to
# measure (default bench/target; the benches' spools live under /tmp: pass /tmp to measure that disk).
# Usage: run-disk-sync.sh [FOLDER] [COUNT]
# Needs: mvn -B -ntp -DskipTests package (bench/target)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/bench-config.sh"
folder=${1:-$here/target}
echo "durable appends in $folder ($(df --output=source "$folder" | tail -1), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))"
java -cp "$BASELINE_CP" dev.atlas.bench.DiskSyncCost "$folder" "${2:-5000}"
