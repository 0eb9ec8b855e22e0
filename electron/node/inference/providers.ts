import * as ort from 'onnxruntime-node';
import { OocError } from '../../common/errors.ts';

import { PROVIDER_CHOICES, type Provider, type ProviderAttempt, type ProviderChoice } from '../../common/models.ts';


const AUTO_ORDER: readonly Provider[] = ['cuda', 'webgpu', 'cpu'];

export interface OpenedSession {
  session: ort.InferenceSession;
  provider: Provider;
  /** Providers tried before the one that runs, each with why it was skipped. */
  skipped: ProviderAttempt[];
}

/**
 * Opens an ONNX session on the first provider that works. onnxruntime-node throws when a
 * provider is unavailable (no CUDA libraries, no WebGPU adapter) instead of falling back, so
 * each is tried in turn: `auto` means CUDA, then WebGPU, then CPU. Naming one provider tries
 * only that one and fails with the reason.
 */
export async function openSession(file: string, choice: ProviderChoice, threads?: number): Promise<OpenedSession> {
  // ONNX Runtime logs a failed provider to stderr itself; the reason is reported here instead.
  ort.env.logLevel = 'fatal';
  const order = choice === 'auto' ? AUTO_ORDER : [choice];
  const skipped: ProviderAttempt[] = [];
  for (const provider of order) {
    try {
      const session = await ort.InferenceSession.create(file, {
        executionProviders: [provider],
        graphOptimizationLevel: 'all',
        logSeverityLevel: 3,
        ...(threads !== undefined ? { intraOpNumThreads: threads } : {}),
      });
      return { session, provider, skipped };
    } catch (err) {
      skipped.push({ provider, reason: explain(provider, err) });
    }
  }
  const why = skipped.map((s) => `${s.provider}: ${s.reason}`).join('; ');
  throw new OocError('MODEL_UNAVAILABLE', `cannot open ${file} on ${choice === 'auto' ? 'any provider' : choice} (${why})`);
}

/** Why a provider failed, in words a user can act on. */
function explain(provider: Provider, err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  if (provider === 'cuda' && /shared library|providers_shared|providers_cuda/i.test(text)) {
    return 'the CUDA provider files are not installed (npm downloads them on Linux x64 with a network; see README "GPU")';
  }
  if (provider === 'cuda' && /libcu|cudnn|CUDA driver|no CUDA-capable device/i.test(text)) return `no usable CUDA GPU or runtime: ${firstLine(text)}`;
  if (provider === 'webgpu' && /WebGPU adapter/i.test(text)) return 'no WebGPU adapter (no GPU, or no Vulkan/Metal/D3D12 driver reachable)';
  return firstLine(text);
}

function firstLine(text: string): string {
  const line = text.split('\n').find((l) => l.trim() !== '') ?? text;
  return line.replace(/^.*\] : \d+ : \w+ : /, '').slice(0, 300);
}

export function parseProviderChoice(value: string): ProviderChoice {
  if ((PROVIDER_CHOICES as readonly string[]).includes(value)) return value as ProviderChoice;
  throw new OocError('BAD_ARGUMENT', `--ep must be one of ${PROVIDER_CHOICES.join(', ')}, got "${value}"`);
}
