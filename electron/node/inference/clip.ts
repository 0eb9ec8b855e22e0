import path from 'node:path';
import * as ort from 'onnxruntime-node';
import type { ProviderChoice, ProviderReport, Tower } from '../../common/models.ts';
import { OocError } from '../../common/errors.ts';
import type { InstalledModel } from './manifest.ts';
import { openSession, type OpenedSession } from './providers.ts';
import { ClipTokenizer } from './tokenizer.ts';
import { verifyModelFile } from './verify.ts';


/**
 * A CLIP model's two encoders, opened on first use. Embeddings come back L2-normalised, so a
 * dot product is the cosine similarity the paper's scores are made of.
 */
export class ClipModel {
  private readonly sessions = new Map<Tower, Promise<OpenedSession>>();
  private tokenizer: Promise<ClipTokenizer> | undefined;
  private readonly opened: ProviderReport = {};
  private relevanceSession: Promise<OpenedSession> | undefined;

  constructor(
    readonly model: InstalledModel,
    private readonly providerChoice: ProviderChoice = 'auto',
    private readonly threads?: number,
  ) {}

  get manifest() {
    return this.model.manifest;
  }

  get dim(): number {
    return this.model.manifest.embeddingSize;
  }

  providers(): ProviderReport {
    return { ...this.opened };
  }

  async session(tower: Tower): Promise<OpenedSession> {
    let pending = this.sessions.get(tower);
    if (!pending) {
      const file = path.join(this.model.dir, this.manifest[tower].file);
      pending = this.open(file, this.manifest[tower].sha256).then((opened) => {
        this.opened[tower] = { provider: opened.provider, skipped: opened.skipped };
        return opened;
      });
      pending.catch(() => this.sessions.delete(tower));
      this.sessions.set(tower, pending);
    }
    return pending;
  }

  /** A session on one of the model's graphs, once its bytes are checked against the manifest. */
  private async open(file: string, sha256: string): Promise<OpenedSession> {
    await verifyModelFile(file, sha256);
    return openSession(file, this.providerChoice, this.threads);
  }

  loadTokenizer(): Promise<ClipTokenizer> {
    if (this.tokenizer === undefined) {
      const { file, sha256 } = this.manifest.tokenizer;
      this.tokenizer = verifyModelFile(path.join(this.model.dir, file), sha256).then(() => ClipTokenizer.load(this.model));
      this.tokenizer.catch(() => (this.tokenizer = undefined));
    }
    return this.tokenizer;
  }

  /** Encodes `count` preprocessed images laid out CHW one after another in `pixels`. */
  async encodeImages(pixels: Float32Array, count: number): Promise<Float32Array> {
    const { session } = await this.session('image');
    const size = this.manifest.preprocess.size;
    const input = new ort.Tensor('float32', pixels.subarray(0, count * 3 * size * size), [count, 3, size, size]);
    return this.run(session, 'image', input);
  }

  async encodeTexts(texts: readonly string[]): Promise<Float32Array> {
    const [{ session }, tokenizer] = await Promise.all([this.session('text'), this.loadTokenizer()]);
    const input = new ort.Tensor('int64', tokenizer.encodeBatch(texts), [texts.length, tokenizer.contextLength]);
    return this.run(session, 'text', input);
  }

  private async run(session: ort.InferenceSession, tower: Tower, input: ort.Tensor): Promise<Float32Array> {
    const spec = this.manifest[tower];
    const outputs = await session.run({ [spec.input.name]: input });
    const output = outputs[spec.output.name];
    const where = `model ${this.manifest.id} (${path.join(this.model.dir, spec.file)})`;
    if (!output) throw new OocError('BAD_INPUT_FILE', `${where}: the ${tower} encoder has no output "${spec.output.name}", which its manifest names`);
    const rows = input.dims[0]!;
    if (output.type !== 'float32' || output.dims.length !== 2 || output.dims[0] !== rows || output.dims[1] !== this.dim) {
      throw new OocError('BAD_INPUT_FILE', `${where}: the ${tower} encoder returned ${output.type} [${output.dims.join(', ')}], but the manifest says [${rows}, ${this.dim}] float32 (embeddingSize ${this.dim}); the manifest does not fit the model`);
    }
    const embeddings = output.data as Float32Array;
    normalizeRows(embeddings, this.dim);
    return embeddings;
  }

  /**
   * Chefer et al.'s relevance for one preprocessed image and one caption: the score, the image
   * relevance per patch (patchGrid² values, row-major) and the caption's per word. Throws MODEL_UNAVAILABLE when the model was exported without the graph.
   */
  async relevance(pixels: Float32Array, caption: string): Promise<{ score: number; patches: Float32Array; tokens: { text: string; score: number }[] }> {
    const spec = this.manifest.relevance;
    if (spec === undefined) throw new OocError('MODEL_UNAVAILABLE', `model ${this.manifest.id} was exported without a relevance graph; export it again, or use occlusion or RISE`);
    if (this.relevanceSession === undefined) {
      this.relevanceSession = this.open(path.join(this.model.dir, spec.file), spec.sha256);
      this.relevanceSession.catch(() => (this.relevanceSession = undefined));
    }
    const [{ session }, tokenizer] = await Promise.all([this.relevanceSession, this.loadTokenizer()]);
    const ids = tokenizer.encodeBatch([caption]);
    const outputs = await session.run({
      [spec.inputs[0]!.name]: new ort.Tensor('float32', pixels, [1, 3, this.manifest.preprocess.size, this.manifest.preprocess.size]),
      [spec.inputs[1]!.name]: new ort.Tensor('int64', ids, [1, tokenizer.contextLength]),
    });
    const [score, image, text] = spec.outputs.map((o) => outputs[o.name]?.data as Float32Array | undefined);
    if (score === undefined || image?.length !== spec.patchGrid * spec.patchGrid || text === undefined) {
      throw new OocError('BAD_INPUT_FILE', `model ${this.manifest.id}: the relevance graph ${spec.file} does not return what its manifest says (score, ${spec.patchGrid}×${spec.patchGrid} patches, tokens)`);
    }
    // Position 0 is the start token; the caption's pieces follow. A word's relevance is its pieces' sum.
    const words = tokenizer.words(caption, tokenizer.contextLength - 2).map((w) => ({
      text: w.text,
      score: text.subarray(1 + w.first, 1 + w.end).reduce((s, v) => s + v, 0),
    }));
    return { score: score[0]!, patches: image, tokens: words };
  }

  async release(): Promise<void> {
    await this.relevanceSession?.then((s) => s.session.release()).catch(() => undefined);
    this.relevanceSession = undefined;
    for (const pending of this.sessions.values()) {
      await pending.then((s) => s.session.release()).catch(() => undefined);
    }
    this.sessions.clear();
  }
}

/** Scales each row of a row-major matrix to unit length (zero rows stay zero). */
export function normalizeRows(matrix: Float32Array, dim: number): void {
  for (let base = 0; base < matrix.length; base += dim) {
    let sum = 0;
    for (let i = 0; i < dim; i++) sum += matrix[base + i]! * matrix[base + i]!;
    if (sum === 0) continue;
    const scale = 1 / Math.sqrt(sum);
    for (let i = 0; i < dim; i++) matrix[base + i] = matrix[base + i]! * scale;
  }
}

/** Opens a model's encoders once to tell which execution provider runs each and why others were skipped (the error, when one cannot open). */
export async function probeProviders(model: InstalledModel, choice: ProviderChoice): Promise<{ providers: ProviderReport; error: string | null }> {
  const clip = new ClipModel(model, choice);
  try {
    await clip.session('image');
    await clip.session('text');
    return { providers: clip.providers(), error: null };
  } catch (err) {
    return { providers: clip.providers(), error: err instanceof Error ? err.message : String(err) };
  } finally {
    await clip.release();
  }
}
