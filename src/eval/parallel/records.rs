//! `eval --jobs N` over an input read record by record (CSV, TSV, TOML,
//! mapped exports): the calling thread reads and decodes each record
//! (readers keep state from row to row: a header, a mapping's counts of
//! uncovered values) and checks its case id as it is read, exactly as
//! [`Batch::run`] does; N workers evaluate the records and render them;
//! the calling thread hands them to the sink in input order.

use std::collections::{HashSet, VecDeque};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::{Arc, Mutex};

use crate::eval::batch::{
    duplicate_case_id, evaluate_case, Batch, BatchError, BatchOptions, CaseContext, Sink, Stop,
};
use crate::eval::compiled::Evaluator;
use crate::eval::finding::CaseResult;
use crate::records::case::CaseRecord;
use crate::records::input::{Read1, RecordReader};
use crate::records::rejection::Rejection;

use super::{stopped, Chunk, Done, Item, RenderCase, POOL_MAX};

/// Records of the input, read and checked, for a worker to evaluate.
enum Read {
    /// A record to evaluate, and its first line.
    Case(Box<CaseRecord>, usize),
    /// A record the reader (or the duplicate check) rejected.
    Rejected(Rejection),
}

/// A chunk of records to evaluate, and where the result goes.
type Job = (Vec<Read>, SyncSender<Done>);

/// What every worker shares.
struct Work<'a> {
    compiled: &'a crate::compile::Compiled,
    options: BatchOptions,
    render: Option<RenderCase<'a>>,
    file: &'a str,
}

impl Batch<'_> {
    /// Reads every record of `reader` (named `file`) on this thread and
    /// evaluates them with `jobs` workers, `per_chunk` records at a time,
    /// feeding `sink` in input order: the same calls, in the same order,
    /// as [`Batch::run`] over the same reader.
    pub(crate) fn run_records_parallel(
        &mut self,
        reader: &mut dyn RecordReader,
        file: &str,
        jobs: usize,
        per_chunk: usize,
        render: Option<RenderCase<'_>>,
        sink: &mut dyn Sink,
    ) -> Result<Stop, BatchError> {
        let (compiled, options) = self.parts();
        let jobs = jobs.max(1);
        let per_chunk = per_chunk.max(1);
        let limit = 2 * jobs;
        let fields = compiled.program.schema.fields.len();
        // Results are made and reused by their worker; records by this
        // thread, which reads into them.
        let results: Vec<Mutex<Vec<CaseResult>>> =
            (0..jobs).map(|_| Mutex::new(Vec::new())).collect();
        let mut records: Vec<Box<CaseRecord>> = Vec::new();
        let work = Work {
            compiled,
            options,
            render,
            file,
        };
        std::thread::scope(|scope| {
            let (queue_in, queue) = sync_channel::<Job>(limit);
            let queue = Arc::new(Mutex::new(queue));
            for (id, pool) in results.iter().enumerate() {
                let queue = Arc::clone(&queue);
                let work = &work;
                scope.spawn(move || worker(id, &queue, pool, work));
            }
            let mut pending: VecDeque<Receiver<Done>> = VecDeque::new();
            let mut at_end = false;
            let mut read_error = None;
            let outcome = loop {
                if !at_end && pending.len() < limit {
                    let mut chunk = Vec::with_capacity(per_chunk);
                    while chunk.len() < per_chunk {
                        let mut record = records
                            .pop()
                            .unwrap_or_else(|| Box::new(CaseRecord::with_fields(fields)));
                        match reader.next_record(&mut record) {
                            Ok(Some(Read1::Record(line))) => {
                                match self.is_duplicate(&record.case_id) {
                                    Ok(false) => chunk.push(Read::Case(record, line)),
                                    Ok(true) => {
                                        let id = record.case_id.clone();
                                        chunk.push(Read::Rejected(Rejection::new(
                                            file,
                                            line,
                                            Some(id.clone()),
                                            vec![duplicate_case_id(&id)],
                                            reader.raw(),
                                        )));
                                        records.push(record);
                                    }
                                    Err(error) => {
                                        read_error = Some(error);
                                        at_end = true;
                                        break;
                                    }
                                }
                            }
                            Ok(Some(Read1::Rejected(rejection))) => {
                                chunk.push(Read::Rejected(rejection));
                                records.push(record);
                            }
                            Ok(None) => {
                                at_end = true;
                                break;
                            }
                            Err(error) => {
                                read_error = Some(BatchError::Read(error));
                                at_end = true;
                                break;
                            }
                        }
                    }
                    if !chunk.is_empty() {
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
                        Some(error) => Err(error),
                        None => Ok(Stop::Finished),
                    };
                };
                let Ok(mut done) = result.recv() else {
                    break Err(BatchError::Read(stopped()));
                };
                let emitted = self.emit(compiled, file, &done, sink);
                let mut used = Vec::new();
                for item in std::mem::take(&mut done.items) {
                    if let Item::Case { record, result, .. } = item {
                        if records.len() < POOL_MAX {
                            records.push(record);
                        }
                        used.push(result);
                    }
                }
                if let Some(Ok(mut pool)) = results.get(done.worker).map(Mutex::lock) {
                    let room = POOL_MAX.saturating_sub(pool.len());
                    pool.extend(used.into_iter().take(room));
                }
                match emitted {
                    Ok(Stop::Finished) => {}
                    other => break other,
                }
            };
            // Workers stop once the queue is closed.
            drop(queue_in);
            drop(pending);
            outcome
        })
    }
}

/// Worker `id`: evaluates (and renders) chunks until the queue is closed,
/// reusing the results of its own `pool`.
fn worker(id: usize, queue: &Mutex<Receiver<Job>>, pool: &Mutex<Vec<CaseResult>>, work: &Work<'_>) {
    let mut evaluator = Evaluator::new(work.compiled);
    loop {
        let job = match queue.lock() {
            Ok(queue) => queue.recv(),
            Err(_) => return,
        };
        let Ok((chunk, reply)) = job else { return };
        let mut spare: Vec<CaseResult> = match pool.lock() {
            Ok(mut pool) => {
                let from = pool.len().saturating_sub(chunk.len());
                pool.split_off(from)
            }
            Err(_) => Vec::new(),
        };
        let mut items = Vec::with_capacity(chunk.len());
        let mut rendered = Vec::new();
        for read in chunk {
            let (mut record, line) = match read {
                Read::Rejected(rejection) => {
                    items.push(Item::Rejected(rejection));
                    continue;
                }
                Read::Case(record, line) => (record, line),
            };
            let mut result = spare.pop().unwrap_or_default();
            let options = work.options;
            evaluate_case(&mut evaluator, &mut record, &mut result, options, |_| {
                options.explain
            });
            let from = rendered.len();
            if let Some(render) = work.render {
                let context = CaseContext {
                    record: &record,
                    file: work.file,
                    line,
                };
                render(&mut rendered, work.compiled, &context, &result);
            }
            items.push(Item::Case {
                line,
                raw: 0..0,
                record,
                id_hash: 0,
                duplicate: Ok(false),
                result,
                rendered: from..rendered.len(),
            });
        }
        // The writer may have stopped (an error, --strict): nothing to do.
        let _ = reply.send(Done {
            worker: id,
            chunk: Chunk::default(),
            rendered,
            items,
            unknown_keys: HashSet::new(),
        });
    }
}
