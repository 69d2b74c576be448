"""The asyncio tutorial, step 1: a coroutine run on a loop of your own."""
import asyncio


async def greet(name):
    print(f"Hello, {name}!")


loop = asyncio.new_event_loop()
asyncio.set_event_loop(loop)
loop.run_until_complete(greet("World"))
loop.close()
