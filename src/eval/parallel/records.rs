//! `eval --jobs N` over an input read record by record (CSV, TSV, TOML,
//! mapped exports): the calling thread reads and decodes each record
//! (readers keep state from row to row: a header, a mapping's counts of
//! uncovered values) and checks its case id as it is read, exactly as
//! [`Batch::run`] does; N workers evaluate the records and render them;
//! the calling thread hands them to the sink in input order.

use std::collections::VecDeque;
use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::{Arc, Mutex};

use crate::eval::batch::{duplicate_case_id, Batch, BatchError, Sink, Stop};
use crate::eval::compiled::Evaluator;
use crate::records::input::{Read1, RecordReader};
use crate::records::rejection::Rejection;

use super::{stopped, CaseWork, Chunk, Evaluated, Item, Job, RenderCase};

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
        let work = CaseWork {
            compiled,
            options,
            render,
            file,
        };
        std::thread::scope(|scope| {
            let (queue_in, queue) = sync_channel::<Job>(limit);
            let queue = Arc::new(Mutex::new(queue));
            for _ in 0..jobs {
                let queue = Arc::clone(&queue);
                let work = &work;
                scope.spawn(move || worker(&queue, work));
            }
            let mut pending: VecDeque<Receiver<Chunk>> = VecDeque::new();
            let mut spare_chunks: Vec<Chunk> = Vec::new();
            let mut at_end = false;
            let mut read_error = None;
            let outcome = loop {
                if !at_end && pending.len() < limit {
                    let mut chunk = spare_chunks.pop().unwrap_or_default();
                    chunk.out.clear();
                    match self.read_chunk(reader, file, fields, per_chunk, &mut chunk.out) {
                        Ok(more) => at_end = !more,
                        Err(error) => {
                            read_error = Some(error);
                            at_end = true;
                        }
                    }
                    if !chunk.out.items.is_empty() {
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
                let Ok(done) = result.recv() else {
                    break Err(BatchError::Read(stopped()));
                };
                let emitted = self.emit(compiled, file, &done, sink);
                spare_chunks.push(done);
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

    /// Reads up to `per_chunk` records of `reader` into `out` (records of
    /// `fields` fields), checking each case id as it is read, as
    /// [`Batch::run`] does; whether the input goes on.
    fn read_chunk(
        &mut self,
        reader: &mut dyn RecordReader,
        file: &str,
        fields: usize,
        per_chunk: usize,
        out: &mut Evaluated,
    ) -> Result<bool, BatchError> {
        let mut slot = 0;
        while out.items.len() < per_chunk {
            out.make_record(slot, fields);
            let record = &mut out.records[slot];
            let line = match reader.next_record(record).map_err(BatchError::Read)? {
                None => return Ok(false),
                Some(Read1::Rejected(rejection)) => {
                    out.items.push(Item::Rejected(rejection));
                    continue;
                }
                Some(Read1::Record(line)) => line,
            };
            if self.is_duplicate(&record.case_id)? {
                let id = record.case_id.clone();
                out.items.push(Item::Rejected(Rejection::new(
                    file,
                    line,
                    Some(id.clone()),
                    vec![duplicate_case_id(&id)],
                    reader.raw(),
                )));
                continue;
            }
            // Evaluated by a worker (`worker`), which makes the item.
            out.items.push(Item::Pending { slot, line });
            slot += 1;
        }
        Ok(true)
    }
}

/// A worker: evaluates (and renders) the records of chunks until the queue
/// is closed.
fn worker(queue: &Mutex<Receiver<Job>>, work: &CaseWork<'_>) {
    let mut evaluator = Evaluator::new(work.compiled);
    loop {
        let job = match queue.lock() {
            Ok(queue) => queue.recv(),
            Err(_) => return,
        };
        let Ok((mut chunk, reply)) = job else { return };
        let out = &mut chunk.out;
        for i in 0..out.items.len() {
            if let Some(&Item::Pending { slot, line }) = out.items.get(i) {
                let item = out.evaluate((slot, line, 0..0), &mut evaluator, work, None);
                if let Some(pending) = out.items.get_mut(i) {
                    *pending = item;
                }
            }
        }
        // The writer may have stopped (an error, --strict): nothing to do.
        let _ = reply.send(chunk);
    }
}
