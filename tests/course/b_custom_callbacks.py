"""Writing your own callbacks (the Keras guide's callbacks, on a small regression).

Every hook declares ``logs`` without a default, as the guide does; the
callbacks print the loss per batch and the MAE per epoch, stop at the minimum
loss and restore the best weights, and change the learning rate by a schedule.

Run: python b_custom_callbacks.py
"""

import os

import numpy as np

import trainlab as tl


def get_model():
    model = tl.Sequential([tl.layers.Dense(1, input_shape=(8,))])
    model.compile(optimizer=tl.optimizers.RMSprop(learning_rate=0.1), loss="mean_squared_error",
                  metrics=["mean_absolute_error"])
    return model


class CustomCallback(tl.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.calls = []

    def on_train_begin(self, logs):
        self.calls.append(("on_train_begin", sorted(logs)))

    def on_train_end(self, logs):
        self.calls.append(("on_train_end", sorted(logs)))

    def on_epoch_begin(self, epoch, logs):
        self.calls.append(("on_epoch_begin", sorted(logs)))

    def on_epoch_end(self, epoch, logs):
        self.calls.append(("on_epoch_end", sorted(logs)))

    def on_train_batch_end(self, batch, logs):
        self.calls.append(("on_train_batch_end", sorted(logs)))

    def on_test_begin(self, logs):
        self.calls.append(("on_test_begin", sorted(logs)))

    def on_test_end(self, logs):
        self.calls.append(("on_test_end", sorted(logs)))

    def on_predict_begin(self, logs):
        self.calls.append(("on_predict_begin", sorted(logs)))

    def on_predict_batch_end(self, batch, logs):
        self.calls.append(("on_predict_batch_end", sorted(logs)))

    def on_predict_end(self, logs):
        self.calls.append(("on_predict_end", sorted(logs)))


class LossAndErrorPrintingCallback(tl.callbacks.Callback):
    def on_train_batch_end(self, batch, logs):
        print("Up to batch {}, the average loss is {:7.2f}.".format(batch, logs["loss"]))

    def on_epoch_end(self, epoch, logs):
        print("The average loss for epoch {} is {:7.2f} and mean absolute error is {:7.2f}.".format(
            epoch, logs["loss"], logs["mean_absolute_error"]))


class EarlyStoppingAtMinLoss(tl.callbacks.Callback):
    """Stop training when the loss is at its min, i.e. the loss stops decreasing."""

    def __init__(self, patience=0):
        super().__init__()
        self.patience = patience
        self.best_weights = None

    def on_train_begin(self, logs):
        self.wait = 0
        self.stopped_epoch = 0
        self.best = np.inf

    def on_epoch_end(self, epoch, logs):
        current = logs.get("loss")
        if np.less(current, self.best):
            self.best = current
            self.wait = 0
            self.best_weights = self.model.get_weights()
        else:
            self.wait += 1
            if self.wait >= self.patience:
                self.stopped_epoch = epoch
                self.model.stop_training = True
                print("Restoring model weights from the end of the best epoch.")
                self.model.set_weights(self.best_weights)

    def on_train_end(self, logs):
        if self.stopped_epoch > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")


class CustomLearningRateScheduler(tl.callbacks.Callback):
    def __init__(self, schedule):
        super().__init__()
        self.schedule = schedule
        self.seen = []

    def on_epoch_begin(self, epoch, logs):
        lr = float(self.model.optimizer.learning_rate)
        scheduled_lr = self.schedule(epoch, lr)
        self.model.optimizer.learning_rate = scheduled_lr
        self.seen.append(scheduled_lr)
        print(f"\nEpoch {epoch}: Learning rate is {scheduled_lr:6.4f}.")


LR_SCHEDULE = [(3, 0.05), (6, 0.01), (9, 0.005)]


def lr_schedule(epoch, lr):
    if epoch < LR_SCHEDULE[0][0] or epoch > LR_SCHEDULE[-1][0]:
        return lr
    for start, rate in LR_SCHEDULE:
        if epoch == start:
            return rate
    return lr


def main(small=True):
    rng = np.random.default_rng(0)
    x_train = rng.normal(size=(512 if small else 5000, 8)).astype("float32")
    w = rng.normal(size=(8, 1)).astype("float32")
    y_train = x_train @ w + 0.1 * rng.normal(size=(len(x_train), 1)).astype("float32")

    model = get_model()
    custom = CustomCallback()
    model.fit(x_train, y_train, batch_size=64, epochs=1, verbose=0, callbacks=[custom])
    model.evaluate(x_train, y_train, batch_size=128, verbose=0, callbacks=[custom])
    model.predict(x_train, batch_size=128, callbacks=[custom])

    model = get_model()
    stopper = EarlyStoppingAtMinLoss(patience=1)
    scheduler = CustomLearningRateScheduler(lr_schedule)
    history = model.fit(x_train, y_train, batch_size=64, epochs=30, verbose=0,
                        callbacks=[LossAndErrorPrintingCallback(), stopper, scheduler])
    return {"calls": custom.calls, "history": history.history, "stopper": stopper, "learning_rates": scheduler.seen,
            "best_weights": stopper.best_weights, "final_weights": model.get_weights(), "true_w": w,
            "final_loss": model.evaluate(x_train, y_train, verbose=0)[0]}


if __name__ == "__main__":
    out = main(small=os.environ.get("B_SMALL", "1") != "0")
    print(out["calls"][:3], out["learning_rates"], out["final_loss"])
