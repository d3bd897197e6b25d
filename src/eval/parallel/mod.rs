//! `eval --jobs N`: a JSON Lines input evaluated by N worker threads (and,
//! in [`records`], any other input: records read on the calling thread,
//! evaluated by the workers).
//!
//! The calling thread reads the input into chunks of whole lines (each
//! knows its first line number) and hands them to the workers through a
//! bounded channel; each worker decodes and evaluates its chunk with its
//! own `Evaluator` and records (through the same `decode_json_line` and
//! `evaluate_case` as the single-threaded path) and sends back, per line,
//! the evaluated case or the rejection; before that, in chunk order
//! ([`id_turns`]), it adds the chunk's case ids to the one set of ids
//! seen and notes which are duplicates. The calling thread takes the
//! chunks back in input order, counts there, and feeds the one `Sink`:
//! everything downstream (formats, rejection lines and summary, rejects
//! file, totals) sees exactly what `--jobs 1` shows it, in the same order.
//! At most `2 × N` chunks are in flight, so memory stays flat.

use std::collections::{HashSet, VecDeque};
use std::hash::BuildHasher;
use std::io::BufRead;
use std::ops::Range;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::{Arc, Mutex};

use crate::compile::Compiled;
use crate::eval::batch::{
    count_case, duplicate_case_id, evaluate_case, Batch, BatchError, BatchOptions, CaseContext,
    Sink, Stop,
};
use crate::eval::case_ids::TooManyIds;
use crate::eval::compiled::Evaluator;
use crate::eval::finding::CaseResult;
use crate::records::case::CaseRecord;
use crate::records::input::{
    decode_json_line, json_line_raw, read_bounded_line, JsonLineDecoder, Read1,
};
use crate::records::rejection::Rejection;
use crate::records::schema_index::SchemaIndex;

mod id_turns;
mod records;

use id_turns::{IdTurns, TurnGuard};

/// The default size of a chunk of input handed to a worker.
pub(crate) const CHUNK_BYTES: usize = 1 << 20;

/// The most bytes reserved for a chunk before it is filled (a chunk's lines
/// may take more; `--chunk-bytes` may ask for much more).
const MAX_RESERVED: usize = 1 << 26;

/// How a JSON Lines input is split among workers.
#[derive(Clone, Copy)]
pub(crate) struct Parallel<'r> {
    /// Worker threads (at least 1).
    pub jobs: usize,
    /// A chunk is closed once it holds this many bytes (at least one line).
    pub chunk_bytes: usize,
    /// `--max-record-bytes`.
    pub max_record_bytes: usize,
    /// The format workers render cases in, when it writes each case on
    /// its own (no state across cases): the writer then only writes bytes.
    pub render: Option<RenderCase<'r>>,
}

/// Renders one case in an output format onto a buffer, as `eval`'s sink
/// would write it (given by the command: the formats are above this layer).
pub(crate) type RenderCase<'r> =
    &'r (dyn Fn(&mut Vec<u8>, &Compiled, &CaseContext<'_>, &CaseResult) + Sync);

/// Whole lines of the input, as `read_bounded_line` read them.
#[derive(Default)]
struct Chunk {
    /// The lines, one after the other.
    data: Vec<u8>,
    /// Per line: where it ends in `data`, and whether it was cut (too long).
    ends: Vec<(usize, bool)>,
    /// The line number of the first line (1-based).
    first_line: usize,
    /// Its place among the chunks of the input (0, 1, ...): the order of
    /// the duplicate check.
    seq: u64,
}

/// What a worker made of one line.
enum Item {
    /// A record decoded and evaluated.
    Case {
        /// Its line.
        line: usize,
        /// Its text in the chunk (for a duplicate's rejection).
        raw: Range<usize>,
        /// The record.
        record: Box<CaseRecord>,
        /// The hash of its case id, for the duplicate check.
        id_hash: u64,
        /// Whether its case id was seen before (by the worker, in its turn;
        /// false without the check or when checked as it was read).
        duplicate: Result<bool, TooManyIds>,
        /// Its findings.
        result: CaseResult,
        /// Its text in the output format, in `Done::rendered`, when
        /// workers render.
        rendered: Range<usize>,
    },
    /// A record rejected.
    Rejected(Rejection),
}

/// A chunk as a worker gives it back.
struct Done {
    /// The worker that made it (its records go back to its pool).
    worker: usize,
    chunk: Chunk,
    rendered: Vec<u8>,
    items: Vec<Item>,
    unknown_keys: HashSet<String>,
}

/// A chunk to evaluate, and where its result goes.
type Job = (Chunk, SyncSender<Done>);

/// A record and a result to decode and evaluate into, reused: the writer
/// gives them back once the sink has seen them, so that workers do not
/// allocate (and the writer free) one per record.
type Slot = (Box<CaseRecord>, CaseResult);

/// The most slots kept for reuse, per worker (more than the records of the
/// chunks in flight at about 1 MiB each; memory stays bounded).
const POOL_MAX: usize = 1 << 13;

impl Batch<'_> {
    /// Reads every record of JSON Lines `input` (named `file`) with
    /// `parallel.jobs` workers, feeding `sink` in input order: the same
    /// calls, in the same order, as [`Batch::run`] over the same input.
    /// Fields the schema does not know are added to `unknown_keys`.
    pub(crate) fn run_parallel(
        &mut self,
        input: &mut dyn BufRead,
        file: &str,
        index: &SchemaIndex,
        parallel: Parallel<'_>,
        unknown_keys: &mut HashSet<String>,
        sink: &mut dyn Sink,
    ) -> Result<Stop, BatchError> {
        let (compiled, options) = self.parts();
        let jobs = parallel.jobs.max(1);
        let limit = 2 * jobs;
        let decoder = JsonLineDecoder {
            compiled,
            index,
            name: file,
            max_record_bytes: parallel.max_record_bytes,
        };
        // One pool per worker: what a worker allocated is reused and freed
        // by that worker alone (freeing across threads contends in malloc).
        let pools: Vec<Mutex<Vec<Slot>>> = (0..jobs).map(|_| Mutex::new(Vec::new())).collect();
        let turns = self.lend_ids().map(IdTurns::new);
        let id_hasher = turns
            .as_ref()
            .map_or_else(foldhash::fast::RandomState::default, IdTurns::hasher);
        let outcome = std::thread::scope(|scope| {
            let (work, queue) = sync_channel::<Job>(limit);
            let queue = Arc::new(Mutex::new(queue));
            for (id, pool) in pools.iter().enumerate() {
                let queue = Arc::clone(&queue);
                let decoder = &decoder;
                let work = Work {
                    decoder,
                    options,
                    render: parallel.render,
                    id_hasher: &id_hasher,
                    turns: turns.as_ref(),
                };
                scope.spawn(move || worker(id, &queue, pool, &work));
            }
            let mut used: Vec<Slot> = Vec::new();
            let mut pending: VecDeque<Receiver<Done>> = VecDeque::new();
            let mut line = 0;
            let mut line_buffer = Vec::new();
            let mut at_end = false;
            let mut read_error = None;
            let mut seq = 0;
            let mut spare_chunks: Vec<Chunk> = Vec::new();
            let outcome = loop {
                if !at_end && pending.len() < limit {
                    // A chunk back from the workers, or one with room for
                    // its bytes: filling it neither grows nor faults in pages.
                    let mut chunk = spare_chunks.pop().unwrap_or_else(|| Chunk {
                        data: Vec::with_capacity(parallel.chunk_bytes.min(MAX_RESERVED)),
                        ..Chunk::default()
                    });
                    chunk.data.clear();
                    chunk.ends.clear();
                    chunk.first_line = line + 1;
                    chunk.seq = seq;
                    match fill_chunk(input, &mut chunk, &mut line, &mut line_buffer, parallel) {
                        Ok(more) => at_end = !more,
                        Err(error) => {
                            at_end = true;
                            read_error = Some(error);
                        }
                    }
                    if !chunk.ends.is_empty() {
                        seq += 1;
                        let (reply, result) = sync_channel(1);
                        if work.send((chunk, reply)).is_err() {
                            break Err(BatchError::Read(stopped()));
                        }
                        pending.push_back(result);
                    }
                    continue;
                }
                let Some(result) = pending.pop_front() else {
                    break match read_error.take() {
                        Some(error) => Err(BatchError::Read(error)),
                        None => Ok(Stop::Finished),
                    };
                };
                let Ok(mut done) = result.recv() else {
                    break Err(BatchError::Read(stopped()));
                };
                unknown_keys.extend(std::mem::take(&mut done.unknown_keys));
                let emitted = self.emit(compiled, file, &done, sink);
                if spare_chunks.len() < limit {
                    spare_chunks.push(std::mem::take(&mut done.chunk));
                }
                used.extend(done.items.into_iter().filter_map(|item| match item {
                    Item::Case { record, result, .. } => Some((record, result)),
                    Item::Rejected(_) => None,
                }));
                let pool = pools.get(done.worker);
                if let Some(Ok(mut pool)) = pool.map(Mutex::lock) {
                    let room = POOL_MAX.saturating_sub(pool.len());
                    let keep = used.len().min(room);
                    pool.extend(used.drain(..keep));
                }
                used.clear();
                match emitted {
                    Ok(Stop::Finished) => {}
                    other => break other,
                }
            };
            // Workers stop once the queue is closed; results no one waits
            // for any more are dropped.
            drop(work);
            drop(pending);
            outcome
        });
        self.return_ids(turns.map(IdTurns::into_ids));
        outcome
    }

    /// Hands a chunk's items to the sink in order, as [`Batch::run`] does
    /// record by record.
    fn emit(
        &mut self,
        compiled: &Compiled,
        file: &str,
        done: &Done,
        sink: &mut dyn Sink,
    ) -> Result<Stop, BatchError> {
        let chunk = &done.chunk;
        for item in &done.items {
            self.totals.read += 1;
            let (line, raw, record, duplicate, result, rendered) = match item {
                Item::Rejected(rejection) => {
                    if self.reject(rejection.clone(), sink)? == Stop::Strict {
                        return Ok(Stop::Strict);
                    }
                    continue;
                }
                Item::Case {
                    line,
                    raw,
                    record,
                    duplicate,
                    result,
                    rendered,
                    ..
                } => (*line, raw, record, *duplicate, result, rendered),
            };
            if duplicate.map_err(BatchError::TooManyIds)? {
                let text = chunk.data.get(raw.clone()).unwrap_or_default();
                let rejection = Rejection::new(
                    file,
                    line,
                    Some(record.case_id.clone()),
                    vec![duplicate_case_id(&record.case_id)],
                    json_line_raw(text),
                );
                if self.reject(rejection, sink)? == Stop::Strict {
                    return Ok(Stop::Strict);
                }
                continue;
            }
            count_case(&mut self.totals, compiled, result);
            tracing::trace!(case_id = %result.case_id, findings = result.findings.len(), "case evaluated");
            let written = if done.rendered.is_empty() {
                let context = CaseContext { record, file, line };
                sink.case(compiled, &context, result)
            } else {
                let bytes = done.rendered.get(rendered.clone()).unwrap_or_default();
                sink.case_rendered(bytes)
            };
            written.map_err(BatchError::Write)?;
        }
        Ok(Stop::Finished)
    }
}

/// The error of a worker that went away (it cannot, short of a panic).
fn stopped() -> std::io::Error {
    std::io::Error::other("a worker thread stopped")
}

/// Reads whole lines into `chunk` until it holds `chunk_bytes` or the input
/// ends (`line` counts the lines read); whether the input goes on. Lines
/// that lie whole in the reader's buffer are found with `memchr` and copied
/// at once; a line that crosses the buffer's end, or may be too long, is
/// read by [`read_bounded_line`] (through `buffer`), which bounds it.
fn fill_chunk(
    input: &mut dyn BufRead,
    chunk: &mut Chunk,
    line: &mut usize,
    buffer: &mut Vec<u8>,
    parallel: Parallel<'_>,
) -> std::io::Result<bool> {
    while chunk.data.len() < parallel.chunk_bytes {
        let available = input.fill_buf()?;
        let base = chunk.data.len();
        let mut taken = 0;
        while base + taken < parallel.chunk_bytes {
            let rest = available.get(taken..).unwrap_or_default();
            match memchr::memchr(b'\n', rest) {
                Some(at) if at < parallel.max_record_bytes => {
                    taken += at + 1;
                    *line += 1;
                    chunk.ends.push((base + taken, false));
                }
                _ => break,
            }
        }
        if taken > 0 {
            chunk
                .data
                .extend_from_slice(available.get(..taken).unwrap_or_default());
            input.consume(taken);
            continue;
        }
        let Some(too_long) = read_bounded_line(input, buffer, parallel.max_record_bytes)? else {
            return Ok(false);
        };
        *line += 1;
        chunk.data.extend_from_slice(buffer);
        chunk.ends.push((chunk.data.len(), too_long));
    }
    Ok(true)
}

/// What every worker shares.
struct Work<'a> {
    decoder: &'a JsonLineDecoder<'a>,
    options: BatchOptions,
    render: Option<RenderCase<'a>>,
    id_hasher: &'a foldhash::fast::RandomState,
    /// The duplicate check (`None`: no check).
    turns: Option<&'a IdTurns>,
}

/// Worker `id`: takes chunks off the queue until it is closed, reusing the
/// records of its own `pool`.
fn worker(id: usize, queue: &Mutex<Receiver<Job>>, pool: &Mutex<Vec<Slot>>, work: &Work<'_>) {
    let Work {
        decoder,
        options,
        render,
        id_hasher,
        turns,
    } = *work;
    let compiled = decoder.compiled;
    let mut evaluator = Evaluator::new(compiled);
    let fields = compiled.program.schema.fields.len();
    let mut spare = Box::new(CaseRecord::with_fields(fields));
    loop {
        let job = match queue.lock() {
            Ok(queue) => queue.recv(),
            Err(_) => return,
        };
        let Ok((chunk, reply)) = job else { return };
        let guard = TurnGuard::new(turns);
        let mut slots: Vec<Slot> = match pool.lock() {
            Ok(mut pool) => {
                let from = pool.len().saturating_sub(chunk.ends.len());
                pool.split_off(from)
            }
            Err(_) => Vec::new(),
        };
        let mut items = Vec::with_capacity(chunk.ends.len());
        let mut rendered = Vec::new();
        let mut unknown_keys = HashSet::new();
        let mut start = 0;
        for (i, &(end, too_long)) in chunk.ends.iter().enumerate() {
            let line = chunk.first_line + i;
            let text = chunk.data.get(start..end).unwrap_or_default();
            let raw = start..end;
            start = end;
            match decode_json_line(decoder, line, text, too_long, &mut spare, &mut unknown_keys) {
                None => {}
                Some(Read1::Rejected(rejection)) => items.push(Item::Rejected(rejection)),
                Some(Read1::Record(line)) => {
                    let (next, mut result) = slots.pop().unwrap_or_else(|| {
                        (
                            Box::new(CaseRecord::with_fields(fields)),
                            CaseResult::default(),
                        )
                    });
                    let mut record = std::mem::replace(&mut spare, next);
                    evaluate_case(&mut evaluator, &mut record, &mut result, options, |_| {
                        options.explain
                    });
                    let from = rendered.len();
                    if let Some(render) = render {
                        let context = CaseContext {
                            record: &record,
                            file: decoder.name,
                            line,
                        };
                        render(&mut rendered, compiled, &context, &result);
                    }
                    items.push(Item::Case {
                        line,
                        raw,
                        id_hash: if turns.is_some() {
                            id_hasher.hash_one(&record.case_id)
                        } else {
                            0
                        },
                        duplicate: Ok(false),
                        record,
                        result,
                        rendered: from..rendered.len(),
                    });
                }
            }
        }
        if let Some(turns) = turns {
            turns.take_turn(chunk.seq, |ids| {
                for item in &mut items {
                    if let Item::Case {
                        record,
                        id_hash,
                        duplicate,
                        ..
                    } = item
                    {
                        *duplicate = ids.insert_hashed(&record.case_id, *id_hash).map(|new| !new);
                    }
                }
            });
        }
        guard.done();
        // The writer may have stopped (an error, --strict): nothing to do.
        let _ = reply.send(Done {
            worker: id,
            chunk,
            rendered,
            items,
            unknown_keys,
        });
    }
}
