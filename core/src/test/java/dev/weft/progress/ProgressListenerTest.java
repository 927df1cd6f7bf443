package dev.weft.progress;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.weft.internal.RuntimeThreads;
import dev.weft.time.ManualTimeSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class ProgressListenerTest {

    private static final Duration SECOND = Duration.ofSeconds(1);

    private final ManualTimeSource time = new ManualTimeSource();
    private final Progress progress = Progress.root("job", time);
    private final BlockingQueue<ProgressSnapshot> delivered = new LinkedBlockingQueue<>();
    private final List<Subscription> subscriptions = new ArrayList<>();

    @AfterEach
    void closeSubscriptions() {
        subscriptions.forEach(Subscription::close);
    }

    @Test
    void aListenerGetsTheCurrentSnapshotAtOnce() throws Exception {
        progress.setTotal(5);
        progress.advance(2);

        subscribe(SECOND);

        assertThat(next().done()).isEqualTo(2);
    }

    @Test
    void aListenerGetsTheLatestSnapshotAtMostOncePerInterval() throws Exception {
        subscribe(SECOND);
        assertThat(next().done()).isZero();
        time.awaitSleepers(1);

        progress.advance();
        progress.advance();
        time.advance(Duration.ofMillis(500)); // the delivery thread sleeps until 1s
        progress.advance();
        assertThat(delivered).isEmpty();
        time.advance(Duration.ofMillis(500));

        assertThat(next().done()).isEqualTo(3);
        assertThat(delivered).isEmpty();
    }

    @Test
    void theFinalSnapshotIsDeliveredOnCompletionWithoutWaitingForTheInterval() throws Exception {
        subscribe(Duration.ofHours(1));
        next();
        time.awaitSleepers(1);

        progress.advance();
        progress.complete();

        ProgressSnapshot last = next();
        assertThat(last.complete()).isTrue();
        assertThat(last.fraction()).isEqualTo(1.0);
        assertThat(last.done()).isEqualTo(1);
    }

    @Test
    void theFinalSnapshotIsDeliveredExactlyOnceAndDeliveryThenEnds() throws Exception {
        subscribe(Duration.ofHours(1));
        next();

        progress.complete();
        progress.complete();
        assertThat(next().complete()).isTrue();

        await().until(() -> progress.subscriptionCount() == 0 && RuntimeThreads.live().isEmpty());
        time.advance(Duration.ofHours(2));
        assertThat(delivered).isEmpty();
    }

    @Test
    void subscribingToACompleteNodeDeliversOnlyTheFinalSnapshot() throws Exception {
        progress.complete();

        subscribe(SECOND);

        assertThat(next().complete()).isTrue();
        await().until(() -> progress.subscriptionCount() == 0);
        assertThat(delivered).isEmpty();
    }

    @Test
    void aListenerIsNeverCalledConcurrentlyWithItself() throws Exception {
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger mostInside = new AtomicInteger();
        CountDownLatch firstCallEntered = new CountDownLatch(1);
        CountDownLatch releaseFirstCall = new CountDownLatch(1);
        CountDownLatch finalSeen = new CountDownLatch(1);
        subscriptions.add(progress.subscribe(SECOND, s -> {
            mostInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
            firstCallEntered.countDown();
            awaitQuietly(releaseFirstCall);
            if (s.complete()) {
                finalSeen.countDown();
            }
            inside.decrementAndGet();
        }));
        firstCallEntered.await();

        progress.advance();
        progress.complete(); // wakes delivery while the listener is still in its first call
        time.advance(SECOND);
        releaseFirstCall.countDown();

        assertThat(finalSeen.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(mostInside.get()).isEqualTo(1);
    }

    @Test
    void aListenerExceptionIsLoggedAndNeverReachesTheTaskThatAdvanced() throws Exception {
        Logger logger = (Logger) LoggerFactory.getLogger(Progress.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        try {
            subscriptions.add(progress.subscribe(SECOND, s -> {
                delivered.add(s);
                throw new IllegalStateException("listener bug");
            }));
            next();

            progress.advance();
            progress.complete();

            assertThat(next().complete()).isTrue();
            await().until(() -> progress.subscriptionCount() == 0);
            assertThat(appender.list).hasSize(2).allSatisfy(event -> {
                assertThat(event.getLevel()).isEqualTo(Level.WARN);
                assertThat(event.getFormattedMessage()).contains("'job'");
                assertThat(event.getThrowableProxy().getMessage()).isEqualTo("listener bug");
            });
        } finally {
            logger.detachAppender(appender);
        }
    }

    @Test
    void closeStopsDeliveryAndEndsTheDeliveryThread() throws Exception {
        Subscription subscription = subscribe(SECOND);
        next();
        time.awaitSleepers(1);

        subscription.close();

        assertThat(RuntimeThreads.live()).isEmpty();
        assertThat(progress.subscriptionCount()).isZero();
        progress.advance();
        progress.complete();
        time.advance(SECOND);
        assertThat(delivered).isEmpty();
    }

    @Test
    void closingFromInsideTheListenerStopsDelivery() throws Exception {
        CountDownLatch called = new CountDownLatch(1);
        Subscription[] self = new Subscription[1];
        CountDownLatch subscribed = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        self[0] = progress.subscribe(SECOND, s -> {
            awaitQuietly(subscribed);
            calls.incrementAndGet();
            self[0].close();
            called.countDown();
        });
        subscribed.countDown();
        called.await();

        await().until(() -> progress.subscriptionCount() == 0);
        progress.advance();
        progress.complete();
        assertThat(calls.get()).isEqualTo(1);
    }

    @Test
    void eachSubscriptionHasItsOwnInterval() throws Exception {
        BlockingQueue<ProgressSnapshot> slow = new LinkedBlockingQueue<>();
        subscribe(SECOND);
        subscriptions.add(progress.subscribe(Duration.ofSeconds(10), slow::add));
        next();
        slow.poll(10, TimeUnit.SECONDS);
        time.awaitSleepers(2);

        progress.advance();
        time.advance(SECOND);

        assertThat(next().done()).isEqualTo(1);
        assertThat(slow).isEmpty();
    }

    private Subscription subscribe(Duration interval) {
        Subscription s = progress.subscribe(interval, delivered::add);
        subscriptions.add(s);
        return s;
    }

    private ProgressSnapshot next() throws InterruptedException {
        ProgressSnapshot s = delivered.poll(10, TimeUnit.SECONDS);
        assertThat(s).as("a delivery within 10s").isNotNull();
        return s;
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            throw new AssertionError("the listener was interrupted", e);
        }
    }
}
