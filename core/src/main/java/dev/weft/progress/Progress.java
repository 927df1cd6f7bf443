package dev.weft.progress;

import dev.weft.internal.ProgressInternals;
import dev.weft.time.TimeSource;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

import static dev.weft.progress.PackedCounts.done;
import static dev.weft.progress.PackedCounts.total;

/**
 * A node in a tree of progress: units of work done out of a total, an optional step name and message, and
 * children whose progress rolls up into this node's {@linkplain #fraction() fraction}.
 *
 * <p><b>Roll-up.</b> Each child counts as {@code weight} units of its parent's work (1.0 by default). With
 * the node's own {@code done} and {@code total} and children {@code i} of weight {@code w_i} and fraction
 * {@code f_i}:
 * <pre>
 *   fraction = 1.0                                           if the node is complete
 *            = (done + sum(w_i * f_i)) / (total + sum(w_i))  otherwise (0.0 when the divisor is 0)
 * </pre>
 * A child counts from the moment {@link #newChild} returns (at 0%), and as exactly 1.0 once it is complete,
 * even if it never reported a unit. When the node's own units are all done and every child is complete the
 * fraction is exactly 1.0. The fraction is not monotonic: {@link #addTotal}, {@link #setTotal} and new children
 * enlarge the divisor, so it drops when work is discovered. {@code done} never decreases.
 *
 * <p><b>Counts.</b> {@code done} and {@code total} change together, atomically: every snapshot has
 * {@code done <= total}, and of two snapshots of a node where the first happens-before the second, the second's
 * {@code done} is at least the first's. Advancing past the total raises the total to {@code done} (the node
 * then knows of no more work until some is added). Counts saturate at {@link #MAX_UNITS}. After
 * {@link #complete()} the counts are frozen: updates of them are ignored. Step and message updates that
 * start after {@code complete()} has returned are ignored too (one racing with it may still land).
 *
 * <p><b>Cost and memory effects.</b> {@link #advance}, {@link #addTotal} and {@link #setTotal} take no lock and
 * allocate nothing per call. {@code advance} is one CAS while one thread at a time updates the node; once
 * threads contend for it, each adds to a cell of its own (like {@link java.util.concurrent.atomic.LongAdder}),
 * which costs the node one array, once (128 bytes per cell, twice as many cells as processors, at most 64).
 * Actions of a thread before an update happen-before the actions of a thread after a snapshot that sees that
 * update. A snapshot reads each node of the subtree atomically, but not the whole subtree at one instant.
 *
 * <p><b>Listeners.</b> See {@link #subscribe(Duration, Consumer)}.
 *
 * <pre>{@code
 * Progress job = Progress.root("import");
 * Progress read = job.newChild("read", 3.0);    // reading is three times the work of parsing
 * Progress parse = job.newChild("parse");
 * read.setTotal(files.size());
 * for (var f : files) { load(f); read.advance(); }
 * read.complete();                               // job.fraction() == 0.75
 * }</pre>
 *
 * <p>Thread safety: every method may be called from any thread.
 */
public final class Progress extends NodeCounts {

    /*
     * Implementation notes.
     *
     * Counts (done, total, completion) and their lock-free algorithms, striping included, are in the superclass
     * NodeCounts; this class checks arguments and adds the tree, the rate and the listeners.
     *
     * Roll-up is computed on demand by the reader (snapshot, fraction), walking the subtree: updates touch one
     * word of one node and never their ancestors, so a deep tree costs the readers, not the workers. Children
     * and subscriptions are copy-on-write arrays replaced by CAS (rare, allocating operations).
     *
     * Rate: the latest RateEstimate is an immutable object replaced by CAS on a snapshot; a snapshot reads
     * it before reading the clock and the counts, so a CAS that succeeds extends the sample it read with
     * counts that are no older than that sample.
     */

    /** The largest done or total of one node: 2^31 - 1. Counts larger than this are held at this value. */
    public static final long MAX_UNITS = PackedCounts.MAX_UNITS;
    private static final Progress[] NO_CHILDREN = {};
    private static final ListenerDelivery[] NO_SUBSCRIPTIONS = {};

    private final String name;
    private final double weight;
    private final TimeSource time;

    /** Written (volatile) by any updater, read by snapshots. */
    private volatile String step;
    /** Written (volatile) by any updater, read by snapshots. */
    private volatile String message;
    /** Copy-on-write; replaced by CAS in newChild. */
    private volatile Progress[] children = NO_CHILDREN;
    /** Copy-on-write; replaced by CAS in subscribe and when a delivery thread ends. */
    private volatile ListenerDelivery[] subscriptions = NO_SUBSCRIPTIONS;
    /** Replaced by CAS in snapshot. */
    private volatile RateEstimate rateEstimate;

    // VarHandle mechanics
    private static final VarHandle CHILDREN;
    private static final VarHandle SUBSCRIPTIONS;
    private static final VarHandle RATE_ESTIMATE;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            CHILDREN = l.findVarHandle(Progress.class, "children", Progress[].class);
            SUBSCRIPTIONS = l.findVarHandle(Progress.class, "subscriptions", ListenerDelivery[].class);
            RATE_ESTIMATE = l.findVarHandle(Progress.class, "rateEstimate", RateEstimate.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
        ProgressInternals.install(node -> ((Progress) node).stripe());
    }

    private Progress(String name, double weight, TimeSource time) {
        this.name = name;
        this.weight = weight;
        this.time = time;
        this.rateEstimate = RateEstimate.start(time.nanoTime());
    }

    /**
     * A root node on the system clock.
     *
     * @throws NullPointerException if {@code name} is null
     */
    public static Progress root(String name) {
        return root(name, TimeSource.system());
    }

    /**
     * A root node whose rates, ETAs, snapshot times and listener intervals use {@code time}.
     *
     * @throws NullPointerException if {@code name} or {@code time} is null
     */
    public static Progress root(String name, TimeSource time) {
        requireName(name);
        Objects.requireNonNull(time, "time is null; pass TimeSource.system() for the real clock");
        return new Progress(name, 1.0, time);
    }

    /** A child of weight 1.0; see {@link #newChild(String, double)}. */
    public Progress newChild(String name) {
        return newChild(name, 1.0);
    }

    /**
     * A new child, counted in this node's fraction (at 0%) from the moment this method returns, as
     * {@code weight} units of this node's work. It shares this node's time source. Adding a child to a
     * complete node is allowed and does not change that node's fraction (1.0).
     *
     * @throws NullPointerException     if {@code name} is null
     * @throws IllegalArgumentException if {@code weight} is not a positive finite number
     */
    public Progress newChild(String name, double weight) {
        requireName(name);
        if (!(weight > 0.0 && weight < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("weight of child '" + name + "' was " + weight
                    + "; a weight must be a positive finite number (default 1.0)");
        }
        Progress child = new Progress(name, weight, time);
        Progress[] current;
        Progress[] next;
        do {
            current = children;
            next = Arrays.copyOf(current, current.length + 1);
            next[current.length] = child;
        } while (!CHILDREN.compareAndSet(this, current, next));
        return child;
    }

    /** This node's name. */
    public String name() {
        return name;
    }

    /** The weight this node has in its parent's roll-up (1.0 for a root). */
    public double weight() {
        return weight;
    }

    /** Adds one unit done; see {@link #advance(long)}. */
    public void advance() {
        advance(1);
    }

    /**
     * Adds {@code units} to done, raising total with it if done would pass it. Lock-free and allocation-free.
     * Ignored once the node is complete.
     *
     * @throws IllegalArgumentException if {@code units} is negative (done never decreases); counts unchanged
     */
    public void advance(long units) {
        if (units <= 0) {
            if (units < 0) {
                throw negativeAdvance(units);
            }
            return;
        }
        addDone(Math.min(units, MAX_UNITS));
    }

    /** Kept out of advance so that advance stays small enough to inline. */
    private IllegalArgumentException negativeAdvance(long units) {
        return new IllegalArgumentException("advance(" + units + ") on '" + name
                + "': units must be zero or positive; done never decreases");
    }

    /**
     * Raises total by {@code units}: work discovered on the way. The fraction drops accordingly. Ignored once
     * the node is complete.
     *
     * @throws IllegalArgumentException if {@code units} is negative; counts unchanged
     */
    public void addTotal(long units) {
        if (units < 0) {
            throw new IllegalArgumentException("addTotal(" + units + ") on '" + name
                    + "': units must be zero or positive; use setTotal to lower the total");
        }
        addToTotal(units);
    }

    /**
     * Sets total. Ignored once the node is complete.
     *
     * @throws IllegalArgumentException if {@code total} is below the current done or above {@link #MAX_UNITS};
     *                                  counts unchanged
     */
    public void setTotal(long total) {
        if (total < 0 || total > MAX_UNITS) {
            throw new IllegalArgumentException("setTotal(" + total + ") on '" + name
                    + "': total must be between done and " + MAX_UNITS);
        }
        long done = replaceTotal(total);
        if (done >= 0) {
            throw new IllegalArgumentException("setTotal(" + total + ") on '" + name + "': total must be at least"
                    + " done (" + done + "); use addTotal to grow a total while others advance");
        }
    }

    /** Sets the name of the current step; {@code null} clears it. Ignored once the node is complete. */
    public void step(String step) {
        if (!isComplete()) {
            this.step = step;
        }
    }

    /** Sets a free-form message; {@code null} clears it. Ignored once the node is complete. */
    public void message(String message) {
        if (!isComplete()) {
            this.message = message;
        }
    }

    /**
     * Marks the node complete: from now on it counts as 1.0 in its parent's roll-up and its counts are frozen.
     * Idempotent: only the first call has an effect. Each open subscription then receives the final snapshot
     * exactly once, promptly (not held back by its interval), and its delivery thread ends. Does not complete
     * the children.
     */
    public void complete() {
        if (!completeCounts()) {
            return;
        }
        for (ListenerDelivery subscription : subscriptions) {
            subscription.wake();
        }
    }

    /** Whether {@link #complete()} has been called. */
    public boolean isComplete() {
        return countsEnded();
    }

    /** The rolled-up fraction in {@code [0, 1]}, as in a {@link #snapshot()} but without sampling the rate. */
    public double fraction() {
        return rollUp(counts());
    }

    /**
     * The node's state now, with the rolled-up fraction and the rate and ETA estimates. Taking a snapshot at
     * least 100 ms after the previous sample updates the smoothed rate (listeners' deliveries take snapshots).
     */
    public ProgressSnapshot snapshot() {
        RateEstimate estimate = rateEstimate;
        long now = time.nanoTime();
        long current = counts();
        double fraction = rollUp(current);
        if (estimate.due(now)) {
            RateEstimate next = estimate.next(now, done(current), fraction);
            estimate = RATE_ESTIMATE.compareAndSet(this, estimate, next) ? next : rateEstimate;
        }
        boolean complete = current < 0;
        return new ProgressSnapshot(name, done(current), total(current), fraction, step, message,
                estimate.rate(), estimate.eta(fraction, complete), complete, time.instant());
    }

    /**
     * Calls {@code listener} with this node's snapshots on a virtual thread of its own: first at once with the
     * current snapshot, then at most once per {@code minInterval} when the snapshot has changed, and always
     * with the final snapshot (exactly once, as soon as the node completes; on a complete node, only that).
     * <ul>
     *   <li>The listener is never called concurrently with itself; successive calls happen-before each other.</li>
     *   <li>An exception thrown by the listener is logged (slf4j, logger {@code dev.weft.progress.Progress},
     *       WARN) and delivery goes on; it never reaches the threads that update the node.</li>
     *   <li>The delivery thread ends after the final snapshot, or when the subscription is closed.</li>
     * </ul>
     *
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if {@code minInterval} is zero or negative
     */
    public Subscription subscribe(Duration minInterval, Consumer<? super ProgressSnapshot> listener) {
        Objects.requireNonNull(minInterval, "minInterval is null; pass a positive duration");
        Objects.requireNonNull(listener, "listener is null");
        if (minInterval.isNegative() || minInterval.isZero()) {
            throw new IllegalArgumentException("minInterval was " + minInterval + "; it must be positive");
        }
        long nanos = minInterval.compareTo(Duration.ofDays(365)) > 0
                ? Duration.ofDays(365).toNanos() : minInterval.toNanos();
        ListenerDelivery delivery = new ListenerDelivery(this, time, nanos, listener);
        ListenerDelivery[] current;
        ListenerDelivery[] next;
        do {
            current = subscriptions;
            next = Arrays.copyOf(current, current.length + 1);
            next[current.length] = delivery;
        } while (!SUBSCRIPTIONS.compareAndSet(this, current, next));
        delivery.start(); // after registering: either complete() sees it, or its first snapshot sees COMPLETE
        return delivery;
    }

    /** The children, in creation order (an immutable copy). */
    public List<Progress> children() {
        return List.of(children);
    }

    @Override
    public String toString() {
        long current = counts();
        return "Progress[" + name + " " + done(current) + "/" + total(current) + (current < 0 ? " complete]" : "]");
    }

    /** Forgets a subscription whose delivery thread has ended. */
    void remove(ListenerDelivery delivery) {
        ListenerDelivery[] current;
        ListenerDelivery[] next;
        do {
            current = subscriptions;
            int i = Arrays.asList(current).indexOf(delivery);
            if (i < 0) {
                return;
            }
            next = new ListenerDelivery[current.length - 1];
            System.arraycopy(current, 0, next, 0, i);
            System.arraycopy(current, i + 1, next, i, next.length - i);
        } while (!SUBSCRIPTIONS.compareAndSet(this, current, next));
    }

    /** The number of open subscriptions (for tests). */
    int subscriptionCount() {
        return subscriptions.length;
    }

    private double rollUp(long current) {
        if (current < 0) {
            return 1.0;
        }
        double numerator = done(current);
        double denominator = total(current);
        for (Progress child : children) {
            numerator += child.weight * child.fraction();
            denominator += child.weight;
        }
        return denominator == 0.0 ? 0.0 : Math.min(1.0, numerator / denominator);
    }

    private static void requireName(String name) {
        Objects.requireNonNull(name, "name is null; a progress node needs a non-null name (may be empty)");
    }
}
