"""The asyncio tutorial, step 3: a countdown task, one second a step."""
import asyncio


async def countdown(number):
    while number > 0:
        print(f"Countdown: {number}")
        await asyncio.sleep(1)
        number -= 1
    print("Countdown finished!")


loop = asyncio.new_event_loop()
asyncio.set_event_loop(loop)
task = loop.create_task(countdown(3))
loop.run_until_complete(task)
loop.close()
