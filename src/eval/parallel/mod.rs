//! `eval --jobs N`: a JSON Lines input evaluated by N worker threads (and,
//! in [`records`], any other input: records read on the calling thread,
//! evaluated by the workers).
//!
//! The calling thread reads the input into chunks of whole lines ([`lines`];
//! each chunk knows its first line number) and hands them to the workers
//! through a bounded channel; each worker decodes and evaluates its chunk
//! with its own `Evaluator`, into the chunk's own records (through the same
//! `decode_json_line` and `evaluate_case` as the single-threaded path), and
//! notes per line the evaluated case or the rejection; before it sends the
//! chunk back, in chunk order ([`id_turns`]), it adds the chunk's case ids
//! to the one set of ids seen and notes which are duplicates. The calling
//! thread takes the chunks back in input order, counts there, and feeds
//! the one `Sink`: everything downstream (formats, rejection lines and
//! summary, rejects file, totals) sees exactly what `--jobs 1` shows it, in
//! the same order. At most `2 × N` chunks are in flight, so memory stays
//! flat; a chunk, once emitted, is read into again with all its buffers.

use std::collections::{HashSet, VecDeque};
use std::hash::BuildHasher;
use std::io::BufRead;
use std::ops::Range;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::{Arc, Mutex};

use crate::compile::Compiled;
use crate::eval::batch::{
    duplicate_case_id, evaluate_case, Batch, BatchError, BatchOptions, CaseContext, CaseCount,
    Sink, Stop,
};
use crate::eval::case_ids::{CaseIds, TooManyIds};
use crate::eval::compiled::Evaluator;
use crate::eval::finding::CaseResult;
use crate::records::case::CaseRecord;
use crate::records::input::{decode_json_line, json_line_raw, JsonLineDecoder, Read1};
use crate::records::rejection::Rejection;
use crate::records::schema_index::SchemaIndex;

mod id_turns;
mod lines;
mod records;

use id_turns::{IdTurns, TurnGuard};
use lines::{LineReader, Lines};

/// The default size of a chunk of input handed to a worker. Smaller
/// chunks mean more hand-overs (a thread woken for each); larger ones, more
/// records and results in flight, out of the caches (`--format summary`
/// ran 1.54x as fast as `--jobs 1` with 256 KiB, 1.37x with 1 MiB).
pub(crate) const CHUNK_BYTES: usize = 1 << 18;

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

/// A chunk of the input and what a worker made of it. The whole goes
/// round, buffers and all: the calling thread reads into it, a worker
/// decodes, evaluates and renders into it, the calling thread hands it to
/// the sink and reads into it again.
#[derive(Default)]
struct Chunk {
    /// Its lines (a JSON Lines input; none for [`records`]).
    input: Lines,
    /// The line number of its first line (1-based).
    first_line: usize,
    /// Its place among the chunks of the input (0, 1, ...): the order of
    /// the duplicate check.
    seq: u64,
    /// What the worker made of it.
    out: Evaluated,
}

/// The records of a chunk, evaluated. Once its buffers have grown to their
/// size, nothing is allocated, moved or freed per record, and no memory is
/// freed by another thread than the one that allocated it (which contends
/// in glibc's malloc).
#[derive(Default)]
struct Evaluated {
    /// Per record, in input order: the case or the rejection.
    items: Vec<Item>,
    /// The case ids of the cases, one after the other (`Item::Case::id`).
    ids: String,
    /// The records decoded, by slot (`Item::Case::slot`); more than the
    /// cases when an earlier round had more. When workers render, the
    /// writer needs neither records nor results: every case is decoded
    /// and evaluated in slot 0, which stays in the worker's cache.
    records: Vec<CaseRecord>,
    /// Their results, by slot.
    results: Vec<CaseResult>,
    /// The cases rendered by the worker (`Item::Case::rendered`).
    rendered: Vec<u8>,
    /// Fields the schema does not know, met in the chunk.
    unknown_keys: HashSet<String>,
}

/// What a worker made of one record.
enum Item {
    /// A record decoded and evaluated.
    Case {
        /// Its first line.
        line: usize,
        /// Its text in the chunk's input (for a duplicate's rejection).
        raw: Range<usize>,
        /// Its record and result in [`Evaluated`] (unless workers render).
        slot: usize,
        /// Its case id in `Evaluated::ids`.
        id: Range<usize>,
        /// What it adds to the totals.
        count: CaseCount,
        /// The hash of its case id, for the duplicate check.
        id_hash: u64,
        /// Whether its case id was seen before (by the worker, in its turn;
        /// false without the check or when checked as it was read).
        duplicate: Result<bool, TooManyIds>,
        /// Its text in the output format, in `Evaluated::rendered`, when
        /// workers render.
        rendered: Range<usize>,
    },
    /// A record rejected.
    Rejected(Rejection),
    /// A record read on the calling thread ([`records`]) into slot `slot`
    /// from line `line`, for a worker to evaluate (which makes it a
    /// `Case`).
    Pending {
        /// Its record in [`Evaluated`].
        slot: usize,
        /// Its first line.
        line: usize,
    },
}

/// What a worker needs to evaluate and render a case.
#[derive(Clone, Copy)]
struct CaseWork<'a> {
    compiled: &'a Compiled,
    options: BatchOptions,
    render: Option<RenderCase<'a>>,
    /// The input's name.
    file: &'a str,
}

/// The most records a chunk keeps for its next round (those of a chunk of
/// tiny lines are let go; memory stays bounded).
const RECORDS_KEPT: usize = 1 << 13;

impl Evaluated {
    /// Makes ready for a new chunk: no items, nothing rendered, buffers
    /// kept.
    fn clear(&mut self) {
        self.items.clear();
        self.ids.clear();
        self.rendered.clear();
        self.unknown_keys.clear();
        self.records.truncate(RECORDS_KEPT);
        self.results.truncate(RECORDS_KEPT);
    }

    /// Makes a record for slot `slot` (of a schema of `fields` fields) if
    /// there is none yet.
    fn make_record(&mut self, slot: usize, fields: usize) {
        if self.records.len() <= slot {
            self.records
                .resize_with(slot + 1, || CaseRecord::with_fields(fields));
        }
    }

    /// Evaluates the record of `slot`, read from line `line` (its text at
    /// `raw` in the chunk's input), into the result of the same slot
    /// (explaining every finding when the options ask), and renders it
    /// when workers render: its item, not yet checked for duplicates (its
    /// case id hashed by `hasher` for the check).
    fn evaluate(
        &mut self,
        (slot, line, raw): (usize, usize, Range<usize>),
        evaluator: &mut Evaluator<'_>,
        work: &CaseWork<'_>,
        hasher: Option<&foldhash::fast::RandomState>,
    ) -> Item {
        if self.results.len() <= slot {
            self.results.resize_with(slot + 1, CaseResult::default);
        }
        let (record, result) = (&mut self.records[slot], &mut self.results[slot]);
        let options = work.options;
        evaluate_case(evaluator, record, result, options, |_| options.explain);
        let from = self.rendered.len();
        if let Some(render) = work.render {
            let context = CaseContext {
                record,
                file: work.file,
                line,
            };
            render(&mut self.rendered, work.compiled, &context, result);
        }
        let id = self.ids.len()..self.ids.len() + record.case_id.len();
        self.ids.push_str(&record.case_id);
        Item::Case {
            line,
            raw,
            slot,
            id,
            count: CaseCount::of(work.compiled, result),
            id_hash: hasher.map_or(0, |h| h.hash_one(&record.case_id)),
            duplicate: Ok(false),
            rendered: from..self.rendered.len(),
        }
    }
}

/// A chunk to evaluate, and where it goes once done.
type Job = (Chunk, SyncSender<Chunk>);

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
        let turns = self.lend_ids().map(IdTurns::new);
        let id_hasher = turns
            .as_ref()
            .map_or_else(foldhash::fast::RandomState::default, IdTurns::hasher);
        let mut reader = LineReader::new(input, parallel.chunk_bytes, parallel.max_record_bytes);
        let work = Work {
            decoder: &decoder,
            case: CaseWork {
                compiled,
                options,
                render: parallel.render,
                file,
            },
            id_hasher: &id_hasher,
            turns: turns.as_ref(),
        };
        let outcome = std::thread::scope(|scope| {
            let (queue_in, queue) = sync_channel::<Job>(limit);
            let queue = Arc::new(Mutex::new(queue));
            for _ in 0..jobs {
                let queue = Arc::clone(&queue);
                let work = &work;
                scope.spawn(move || worker(&queue, work));
            }
            let mut pending: VecDeque<Receiver<Chunk>> = VecDeque::new();
            let mut read_error = None;
            let mut seq = 0;
            let mut spare_chunks: Vec<Chunk> = Vec::new();
            let outcome = loop {
                if read_error.is_none() && !reader.at_end() && pending.len() < limit {
                    // A chunk back from the workers: filling it neither
                    // grows its buffers nor faults in new pages.
                    let mut chunk = spare_chunks.pop().unwrap_or_default();
                    chunk.out.clear();
                    chunk.seq = seq;
                    chunk.first_line = reader.lines_read() + 1;
                    if let Err(error) = reader.fill(&mut chunk.input) {
                        read_error = Some(error);
                    }
                    if !chunk.input.lines.is_empty() {
                        seq += 1;
                        let (reply, result) = sync_channel(1);
                        if queue_in.send((chunk, reply)).is_err() {
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
                unknown_keys.extend(done.out.unknown_keys.drain());
                let emitted = self.emit(compiled, file, &done, sink);
                spare_chunks.push(done);
                match emitted {
                    Ok(Stop::Finished) => {}
                    other => break other,
                }
            };
            // Workers stop once the queue is closed; results no one waits
            // for any more are dropped.
            drop(queue_in);
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
        chunk: &Chunk,
        sink: &mut dyn Sink,
    ) -> Result<Stop, BatchError> {
        let out = &chunk.out;
        for item in &out.items {
            self.totals.read += 1;
            let Item::Case {
                line,
                raw,
                slot,
                id,
                count,
                duplicate,
                rendered,
                ..
            } = item
            else {
                if let Item::Rejected(rejection) = item {
                    if self.reject(rejection.clone(), sink)? == Stop::Strict {
                        return Ok(Stop::Strict);
                    }
                }
                continue;
            };
            let case_id = out.ids.get(id.clone()).unwrap_or_default();
            if duplicate.map_err(BatchError::TooManyIds)? {
                let text = chunk.input.data.get(raw.clone()).unwrap_or_default();
                let rejection = Rejection::new(
                    file,
                    *line,
                    Some(case_id.to_string()),
                    vec![duplicate_case_id(case_id)],
                    json_line_raw(text),
                );
                if self.reject(rejection, sink)? == Stop::Strict {
                    return Ok(Stop::Strict);
                }
                continue;
            }
            self.totals.add(count);
            tracing::trace!(case_id = %case_id, findings = count.findings, "case evaluated");
            let written = match (out.records.get(*slot), out.results.get(*slot)) {
                (Some(record), Some(result)) if out.rendered.is_empty() => {
                    let context = CaseContext {
                        record,
                        file,
                        line: *line,
                    };
                    sink.case(compiled, &context, result)
                }
                _ => sink.case_rendered(out.rendered.get(rendered.clone()).unwrap_or_default()),
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

/// What every worker shares.
struct Work<'a> {
    decoder: &'a JsonLineDecoder<'a>,
    case: CaseWork<'a>,
    id_hasher: &'a foldhash::fast::RandomState,
    /// The duplicate check (`None`: no check).
    turns: Option<&'a IdTurns<Job>>,
}

/// A worker: takes chunks off the queue until it is closed.
fn worker(queue: &Mutex<Receiver<Job>>, work: &Work<'_>) {
    let mut evaluator = Evaluator::new(work.case.compiled);
    loop {
        let job = match queue.lock() {
            Ok(queue) => queue.recv(),
            Err(_) => return,
        };
        let Ok((mut chunk, reply)) = job else { return };
        let guard = TurnGuard::new(work.turns);
        evaluate_lines(&mut chunk, &mut evaluator, work);
        match work.turns {
            Some(turns) => turns.take_turn(chunk.seq, (chunk, reply), check_ids),
            None => send(chunk, &reply),
        }
        guard.done();
    }
}

/// Adds the case ids of `chunk`'s cases to `ids` in order, noting which
/// were seen before, and sends it on: its turn has come.
fn check_ids(ids: &mut CaseIds, (mut chunk, reply): Job) {
    let out = &mut chunk.out;
    for item in &mut out.items {
        if let Item::Case {
            id,
            id_hash,
            duplicate,
            ..
        } = item
        {
            let id = out.ids.get(id.clone()).unwrap_or_default();
            *duplicate = ids.insert_hashed(id, *id_hash).map(|new| !new);
        }
    }
    send(chunk, &reply);
}

/// Sends a chunk evaluated back to the writer.
fn send(chunk: Chunk, reply: &SyncSender<Chunk>) {
    // The writer may have stopped (an error, --strict): nothing to do.
    let _ = reply.send(chunk);
}

/// Decodes and evaluates every line of `chunk` into its items (the
/// duplicate check aside).
fn evaluate_lines(chunk: &mut Chunk, evaluator: &mut Evaluator<'_>, work: &Work<'_>) {
    let Chunk {
        input,
        first_line,
        out,
        ..
    } = chunk;
    let fields = work.case.compiled.program.schema.fields.len();
    let mut slot = 0;
    for (i, line) in input.lines.iter().enumerate() {
        let text = input.data.get(line.bytes.clone()).unwrap_or_default();
        out.make_record(slot, fields);
        let read = decode_json_line(
            work.decoder,
            *first_line + i,
            text,
            line.cut,
            &mut out.records[slot],
            &mut out.unknown_keys,
        );
        match read {
            None => {}
            Some(Read1::Rejected(rejection)) => out.items.push(Item::Rejected(rejection)),
            Some(Read1::Record(number)) => {
                let hasher = work.turns.map(|_| work.id_hasher);
                let item = out.evaluate(
                    (slot, number, line.bytes.clone()),
                    evaluator,
                    &work.case,
                    hasher,
                );
                out.items.push(item);
                if work.case.render.is_none() {
                    slot += 1;
                }
            }
        }
    }
}
