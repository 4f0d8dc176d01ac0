"""A GAN-like loop with two models and two optimizers (the DCGAN tutorial's
train_step, on 1-D data): the generator learns to produce samples like N(3, 0.5).

Edits: `import trainlab as tl`; the two tapes became two `tl.value_and_grad`
calls; `@tf.function` -> `@tl.function`.
"""
import jax.numpy as jnp
import numpy as np

import trainlab as tl


def main(small=True):
    tl.set_random_seed(0)
    latent_dim, batch_size = 4, 64
    generator = tl.Sequential([
        tl.layers.Dense(16, activation="relu", input_shape=(latent_dim,)),
        tl.layers.Dense(1),
    ], name="generator")
    discriminator = tl.Sequential([
        tl.layers.Dense(16, activation="relu", input_shape=(1,)),
        tl.layers.Dense(1),
    ], name="discriminator")
    cross_entropy = tl.losses.BinaryCrossentropy(from_logits=True)

    def discriminator_loss(real_output, fake_output):
        real_loss = cross_entropy(jnp.ones_like(real_output), real_output)
        fake_loss = cross_entropy(jnp.zeros_like(fake_output), fake_output)
        return real_loss + fake_loss

    def generator_loss(fake_output):
        return cross_entropy(jnp.ones_like(fake_output), fake_output)

    generator_optimizer = tl.optimizers.Adam(1e-2)
    discriminator_optimizer = tl.optimizers.Adam(1e-2)

    @tl.function
    def train_step(real, noise):
        def gen_loss_fn(generator):
            fake = generator(noise, training=True)
            return generator_loss(discriminator(fake, training=True))

        def disc_loss_fn(discriminator):
            fake = generator(noise, training=True)
            return discriminator_loss(discriminator(real, training=True), discriminator(fake, training=True))

        gen_loss, gradients_of_generator = tl.value_and_grad(gen_loss_fn)(generator)
        disc_loss, gradients_of_discriminator = tl.value_and_grad(disc_loss_fn)(discriminator)
        generator_optimizer.apply_gradients(zip(gradients_of_generator, generator.trainable_variables))
        discriminator_optimizer.apply_gradients(zip(gradients_of_discriminator, discriminator.trainable_variables))
        return gen_loss, disc_loss

    rng = np.random.default_rng(0)
    start_mean = float(np.mean(generator(rng.normal(size=(1000, latent_dim)).astype("float32"))))
    for step in range(300 if small else 3000):
        real = rng.normal(3.0, 0.5, size=(batch_size, 1)).astype("float32")
        noise = rng.normal(size=(batch_size, latent_dim)).astype("float32")
        gen_loss, disc_loss = train_step(real, noise)
    samples = np.asarray(generator(rng.normal(size=(1000, latent_dim)).astype("float32")))
    return {"start_mean": start_mean, "mean": float(samples.mean()), "std": float(samples.std()),
            "tracing_count": train_step.experimental_get_tracing_count()}


if __name__ == "__main__":
    print(main(small=False))
