#!/usr/bin/env bash
# GPU discovery script for Spark (spark.{worker,driver,executor}.resource.gpu.discoveryScript),
# with the contract of Spark's examples/src/main/scripts/getGpusResources.sh: print one JSON
# object naming the resource and the addresses of the NVIDIA GPUs this process may use, e.g.
#   {"name": "gpu", "addresses": ["0","1"]}
# Addresses are CUDA device numbers (nvidia-smi's index), which is what talkset's stages give
# ONNX Runtime (Devices.placement reads the task's assigned address as Device.gpu(N)).
#
# Run it where GPUs are isolated per worker/executor (standalone Worker, YARN container with
# GPU isolation); on Kubernetes the device plugin already limits what nvidia-smi sees.
#
# No nvidia-smi (or it fails): prints an empty list, {"name": "gpu", "addresses": []}, and
# exits 0. Spark then knows the resource but no address: a component that asked for N > 0 GPUs
# fails at start with "Resource: gpu, with addresses:  is less than what the user requested: N"
# (a CPU node must not pretend to have a GPU); one that asked for 0 starts normally. Spark's own
# example prints [""] in that case, a single empty address that a task would be handed.
set -u
addresses=""
if command -v nvidia-smi >/dev/null 2>&1; then
  if out=$(nvidia-smi --query-gpu=index --format=csv,noheader 2>/dev/null); then
    while IFS= read -r line; do
      index=$(printf '%s' "$line" | tr -d '[:space:]')
      # Only plain device numbers; anything else (an error text) is not an address.
      case "$index" in
        ''|*[!0-9]*) continue ;;
      esac
      addresses="${addresses:+$addresses,}\"$index\""
    done <<< "$out"
  fi
fi
printf '{"name": "gpu", "addresses": [%s]}\n' "$addresses"
