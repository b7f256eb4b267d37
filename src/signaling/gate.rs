//! A future polled again only after it asked to be. `tokio::select!` in a socket loop polls
//! every branch on every turn, one turn per frame; a cancellation token's future takes a lock
//! and re-registers its waker each time it is polled, though it almost never fires. Behind a
//! [`Gated`] it is polled once, and again only after it woke the task; the turns in between
//! cost one atomic load and a waker check.
use futures_util::task::AtomicWaker;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

pin_project_lite::pin_project! {
    /// `F`, polled only when it has woken (and the first time).
    pub struct Gated<F> {
        #[pin]
        inner: F,
        flag: Arc<Flag>,
        // Wakes `flag`: what `inner` is polled with.
        waker: Waker,
    }
}

struct Flag {
    woken: AtomicBool,
    /// The task polling the [`Gated`], woken in turn.
    task: AtomicWaker,
}

impl Wake for Flag {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.woken.store(true, Ordering::Release);
        self.task.wake();
    }
}

impl<F: Future> Gated<F> {
    pub fn new(inner: F) -> Self {
        let flag = Arc::new(Flag {
            woken: AtomicBool::new(true),
            task: AtomicWaker::new(),
        });
        Self {
            inner,
            waker: Waker::from(flag.clone()),
            flag,
        }
    }
}

impl<F: Future> Future for Gated<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        // Registered before the flag is read: a wake in between finds this task.
        this.flag.task.register(cx.waker());
        if !this.flag.woken.load(Ordering::Acquire)
            || !this.flag.woken.swap(false, Ordering::AcqRel)
        {
            return Poll::Pending;
        }
        this.inner.poll(&mut Context::from_waker(this.waker))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;
    use tokio_util::sync::CancellationToken;

    #[tokio::test]
    async fn polls_the_inner_future_only_after_it_woke() {
        let token = CancellationToken::new();
        let polls = Arc::new(AtomicUsize::new(0));
        let counted = {
            let (token, polls) = (token.clone(), polls.clone());
            let mut wait = Box::pin(token.cancelled_owned());
            std::future::poll_fn(move |cx| {
                polls.fetch_add(1, Ordering::Relaxed);
                wait.as_mut().poll(cx)
            })
        };
        let gated = Gated::new(counted);
        tokio::pin!(gated);
        for _ in 0..100 {
            assert!(futures_util::poll!(gated.as_mut()).is_pending());
        }
        assert_eq!(
            polls.load(Ordering::Relaxed),
            1,
            "polled the first time only"
        );
        let cancel = tokio::spawn(async move { token.cancel() });
        gated.await;
        cancel.await.unwrap();
        assert_eq!(
            polls.load(Ordering::Relaxed),
            2,
            "and once more when it woke"
        );
    }
}
