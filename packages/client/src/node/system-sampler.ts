import { execFile } from "node:child_process";
import { statfs } from "node:fs/promises";
import { readFile } from "node:fs/promises";
import { cpus, freemem, totalmem } from "node:os";
import type { SystemMetricsSampler } from "../fluent/system-metrics.js";

const MB = 1024 * 1024;

function cpuTimes(): { idle: number; total: number } {
  let idle = 0;
  let total = 0;
  for (const c of cpus()) {
    idle += c.times.idle;
    total += c.times.user + c.times.nice + c.times.sys + c.times.idle + c.times.irq;
  }
  return { idle, total };
}

async function networkBytes(): Promise<{ rx: number; tx: number } | undefined> {
  try {
    const text = await readFile("/proc/net/dev", "utf8");
    let rx = 0;
    let tx = 0;
    for (const line of text.split("\n").slice(2)) {
      const [, data] = line.split(":");
      if (!data) continue;
      const f = data.trim().split(/\s+/).map(Number);
      rx += f[0] ?? 0;
      tx += f[8] ?? 0;
    }
    return { rx, tx };
  } catch {
    return undefined;
  }
}

export interface NodeSamplerOptions {
  /** The nvidia-smi executable (default: `nvidia-smi` on PATH); GPU figures are skipped when it is missing. */
  nvidiaSmi?: string;
  /** The file system whose usage is reported (default `/`). */
  diskPath?: string;
}

/**
 * The figures MLflow's system metrics monitor logs, with MLflow's names: CPU, memory, disk and
 * network (psutil's equivalents from `node:os`, `statfs` and /proc/net/dev), and per-GPU
 * utilization, memory and power from `nvidia-smi` where it exists.
 */
export class NodeSystemMetricsSampler implements SystemMetricsSampler {
  private lastCpu = cpuTimes();
  private net0: Promise<{ rx: number; tx: number } | undefined> = networkBytes();
  private gpu = true;

  constructor(private readonly options: NodeSamplerOptions = {}) {}

  async sample(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    const cpu = cpuTimes();
    const dTotal = cpu.total - this.lastCpu.total;
    const dIdle = cpu.idle - this.lastCpu.idle;
    this.lastCpu = cpu;
    out.cpu_utilization_percentage = dTotal > 0 ? (100 * (dTotal - dIdle)) / dTotal : 0;
    const total = totalmem();
    const used = total - freemem();
    out.system_memory_usage_megabytes = used / MB;
    out.system_memory_usage_percentage = (100 * used) / total;
    try {
      const fs = await statfs(this.options.diskPath ?? "/");
      const usedBytes = (fs.blocks - fs.bfree) * fs.bsize;
      const freeBytes = fs.bavail * fs.bsize;
      out.disk_usage_percentage = (100 * usedBytes) / (usedBytes + freeBytes);
      out.disk_usage_megabytes = usedBytes / MB;
      out.disk_available_megabytes = freeBytes / MB;
    } catch {
      // no statfs on this platform
    }
    const [net0, net] = [await this.net0, await networkBytes()];
    if (net0 && net) {
      out.network_receive_megabytes = (net.rx - net0.rx) / MB;
      out.network_transmit_megabytes = (net.tx - net0.tx) / MB;
    }
    if (this.gpu) Object.assign(out, await this.gpuFigures());
    return out;
  }

  private gpuFigures(): Promise<Record<string, number>> {
    const args = [
      "--query-gpu=index,utilization.gpu,memory.used,memory.total,power.draw,power.limit",
      "--format=csv,noheader,nounits",
    ];
    return new Promise((resolve) => {
      execFile(this.options.nvidiaSmi ?? "nvidia-smi", args, { timeout: 5000 }, (err, stdout) => {
        if (err) {
          // No NVIDIA driver here: stop asking.
          if ((err as NodeJS.ErrnoException).code === "ENOENT") this.gpu = false;
          resolve({});
          return;
        }
        const out: Record<string, number> = {};
        for (const line of stdout.trim().split("\n")) {
          const [index, util, memUsed, memTotal, power, powerLimit] = line.split(",").map((s) => Number(s.trim()));
          if (index === undefined || Number.isNaN(index)) continue;
          const g = `gpu_${index}_`;
          if (util !== undefined && !Number.isNaN(util)) out[`${g}utilization_percentage`] = util;
          if (memUsed !== undefined && !Number.isNaN(memUsed)) {
            out[`${g}memory_usage_megabytes`] = memUsed;
            if (memTotal) out[`${g}memory_usage_percentage`] = (100 * memUsed) / memTotal;
          }
          if (power !== undefined && !Number.isNaN(power)) {
            out[`${g}power_usage_watts`] = power;
            if (powerLimit) out[`${g}power_usage_percentage`] = (100 * power) / powerLimit;
          }
        }
        resolve(out);
      });
    });
  }
}
