export { BitReader, BitWriter, ChunkCorruptError } from "./bstream.js";
export { XorChunk, MAX_SAMPLES_PER_CHUNK, OutOfOrderSampleError } from "./xor.js";
export { XorIterator, decodeXor, decodeXorInto, xorNumSamples } from "./iterator.js";
export type { DecodedChunk, XorState } from "./iterator.js";
export { sameFloatBits } from "./floatbits.js";
export { FloatHistogramChunk, FloatHistogramIterator, decodeFloatHistograms, CounterResetHeader } from "./float_histogram_chunk.js";
export { HistogramChunk, HistogramIterator, decodeIntegerHistograms, hasIntegerCounts } from "./histogram_chunk.js";
export { ChunkEncoding } from "./histogram_chunk_base.js";
export { type HistogramEncoding, encodingFor, decodeHistograms } from "./histogram_chunks.js";
