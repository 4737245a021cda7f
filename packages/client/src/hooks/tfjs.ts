/**
 * A TensorFlow.js `model.fit` callback that logs to MLflow like MLflow's Keras autologging:
 * fit parameters and optimizer settings as params, every epoch's logs (loss, metrics, val_*) as
 * metrics with step = epoch, and the model summary as `model_summary.txt`.
 *
 * ```ts
 * import { mlflowCallback } from "@mlflow-ts/client/tfjs";
 * await model.fit(xs, ys, { epochs: 10, callbacks: mlflowCallback({ model }) });
 * ```
 *
 * It imports nothing from TensorFlow.js: tfjs wraps the returned handlers in its own callback
 * object, which carries the fit parameters (epochs, batch size, ...). That wrapper does not
 * carry the model, so pass it as `model` for the optimizer params and the summary.
 */
import { getDefaultMlflow } from "../fluent/default.js";
import type { Mlflow } from "../fluent/mlflow.js";

/** The parts of a tfjs LayersModel the callback reads. */
export interface TfjsModelLike {
  optimizer?: { getClassName(): string; getConfig?(): Record<string, unknown> };
  loss?: unknown;
  summary(lineLength?: number, positions?: number[], printFn?: (message?: unknown) => void): void;
}

/** What tfjs sets on the callback object during `fit`. */
export interface CallbackContext {
  params?: Record<string, unknown>;
}

export interface TfjsCallbackOptions {
  /** Defaults to the shared fluent instance. */
  mlflow?: Mlflow;
  /** The model being fit: its optimizer settings and summary are logged. */
  model?: TfjsModelLike;
  /** Name of the run started when none is active (it is ended when training ends). */
  runName?: string;
  /** Log the model summary as `model_summary.txt` (default true). */
  logModelSummary?: boolean;
}

export type Logs = Record<string, number | unknown> | undefined;

function numbers(logs: Logs): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(logs ?? {})) if (typeof v === "number") out[k] = v;
  return out;
}

const FIT_PARAMS: Record<string, string> = {
  epochs: "epochs",
  batchSize: "batch_size",
  initialEpoch: "initial_epoch",
  steps: "steps_per_epoch",
  samples: "samples",
};

export function mlflowCallback(options: TfjsCallbackOptions = {}) {
  const mlflow = options.mlflow ?? getDefaultMlflow();
  let ownsRun = false;
  return {
    async onTrainBegin(this: CallbackContext | undefined, _logs?: Logs): Promise<void> {
      if (!mlflow.activeRun()) {
        await mlflow.startRun(options.runName ? { runName: options.runName } : {});
        ownsRun = true;
      }
      const params: Record<string, unknown> = {};
      for (const [from, to] of Object.entries(FIT_PARAMS)) {
        const v = this?.params?.[from];
        if (v !== undefined && v !== null) params[to] = v;
      }
      const model = options.model;
      if (model?.optimizer) {
        params.opt_name = model.optimizer.getClassName();
        for (const [k, v] of Object.entries(model.optimizer.getConfig?.() ?? {})) {
          if (typeof v === "number" || typeof v === "string" || typeof v === "boolean") {
            params[`opt_${k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}`] = v;
          }
        }
      }
      if (typeof model?.loss === "string") params.loss = model.loss;
      await mlflow.logParams(params);
      if (model && options.logModelSummary !== false) {
        const lines: string[] = [];
        model.summary(undefined, undefined, (line) => lines.push(String(line)));
        await mlflow.logText(`${lines.join("\n")}\n`, "model_summary.txt");
      }
    },

    async onEpochEnd(epoch: number, logs?: Logs): Promise<void> {
      await mlflow.logMetrics(numbers(logs), { step: epoch });
    },

    async onTrainEnd(_logs?: Logs): Promise<void> {
      if (ownsRun) {
        ownsRun = false;
        await mlflow.endRun();
      } else await mlflow.flush();
    },
  };
}
